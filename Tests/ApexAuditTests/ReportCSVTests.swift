import ApexAudit
import ApexDomain
import ApexStore
import Foundation
import Testing

/// M3: CSV formula injection. A cell a spreadsheet would evaluate (`=`, `+`, `-`, `@`, tab or
/// carriage return first) is written with a leading `'`, so it shows as text.
@Suite("CSV report cells")
struct ReportCSVTests {
    static func csvReport() async throws -> [[String]] {
        let (store, project) = try await BundleFixture.store()
        let report = try await AuditReport.build(store: store, project: project, storeDescription: "memory")
        return Self.parse(String(decoding: report.rendered(.csv), as: UTF8.self))
    }

    @Test func recordedTextThatLooksLikeAFormulaIsWrittenAsText() async throws {
        let rows = try await Self.csvReport()
        let header = rows[0]
        func column(_ name: String) -> Int { header.firstIndex(of: name)! }
        let m = BundleFixture.metadata
        let first = rows[1]
        #expect(first[column("user_agent")] == "'" + m.userAgent!.display)
        #expect(first[column("x_forwarded_for")] == "'" + m.xForwardedFor!.display)
        #expect(first[column("peer_address")] == "'" + m.peerAddress!.display)
        #expect(first[column("request_id")] == "'" + m.requestID!)
        #expect(first[column("ip_address")] == m.ipAddress!.display, "harmless text is unchanged")
        let reasons = rows.dropFirst().map { $0[column("reason")] }
        #expect(reasons.contains("'" + BundleFixture.statusReason) && reasons.contains("'" + BundleFixture.updateReason))
        // No cell of the file starts a formula.
        for row in rows { for cell in row { #expect(!["=", "+", "-", "@", "\t", "\r"].contains(cell.first.map(String.init) ?? ""), "\(cell)") } }
    }

    @Test(arguments: [
        ("=1+1", "'=1+1"), ("+1", "'+1"), ("-1", "'-1"), ("@SUM(A1)", "'@SUM(A1)"), ("\t=1", "'\t=1"),
        ("\r=1", "\"'\r=1\""), ("a=1", "a=1"), ("", ""), ("=a,b", "\"'=a,b\""), ("'=1", "'=1"), (" =1", " =1"),
    ])
    func oneCell(_ text: String, _ written: String) {
        #expect(CSV.cell(text) == written)
    }

    /// A strict RFC 4180 reader: CRLF records, quoted fields with doubled quotes.
    static func parse(_ text: String) -> [[String]] {
        var rows: [[String]] = [], row: [String] = [], field = "", quoted = false
        var chars = Array(text.unicodeScalars)[...]
        while let c = chars.popFirst() {
            if quoted {
                if c == "\"" {
                    if chars.first == "\"" { field.unicodeScalars.append(chars.removeFirst()) } else { quoted = false }
                } else { field.unicodeScalars.append(c) }
            } else if c == "\"" {
                quoted = true
            } else if c == "," {
                row.append(field)
                field = ""
            } else if c == "\r", chars.first == "\n" {
                chars.removeFirst()
                row.append(field)
                rows.append(row)
                row = []
                field = ""
            } else {
                field.unicodeScalars.append(c)
            }
        }
        return rows
    }
}
