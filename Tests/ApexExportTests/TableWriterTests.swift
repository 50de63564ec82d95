import ApexDomain
import Foundation
import Testing

@testable import ApexExport

/// The writers alone, without a store: CSV records and the workbook's cell text.
@Suite struct TableWriterTests {
    struct Bytes: ExportSink {
        var data: [UInt8] = []
        mutating func write(_ bytes: [UInt8]) async throws { data += bytes }
    }

    @Test func csvTypesCellsAndNeutralisesFormulasButNotNumbers() async throws {
        var sink = Bytes()
        try await CSVTableWriter.writing(to: &sink) { csv in
            try await csv.begin(ExportTable(name: "T", columns: ["a", "b", "c", "d", "e"]))
            try await csv.row([.number(-2), .text("-2"), .date(Date(timeIntervalSince1970: 86_400)), .empty, .text("x,\"y\"")])
            try await csv.row([.number(2.5), .text("=SUM(A1)"), .number(3), .text(""), .number(.nan)])
        }
        #expect(String(decoding: sink.data, as: UTF8.self) == "a,b,c,d,e\r\n-2,'-2,1970-01-02T00:00:00.000000Z,,\"x,\"\"y\"\"\"\r\n2.5,'=SUM(A1),3,,\r\n")
    }

    @Test func workbookCellText() {
        #expect(["A", "Z", "AA", "AZ", "BA", "ZZ", "AAA"] == [0, 25, 26, 51, 52, 701, 702].map(XLSXSheetFile.column))
        #expect(XLSXSheetFile.escaped("a<b & \"c\"\u{1}\t\n") == "a&lt;b &amp; &quot;c&quot;\u{FFFD}\t\n")
        #expect(XLSXSheetFile.escaped(String(repeating: "x", count: 40_000)).count == XLSXSheetFile.cellLimit)
        // 2026-01-27T12:00:00Z is day 46049.5 of the 1900 date system.
        #expect(XLSXSheetFile.serial(Timestamp.parse("2026-01-27T12:00:00Z")!) == "46049.50000000")
    }
}
