import ApexDomain
import ApexStore
import Foundation
import Testing

@Suite("apex-cli audit report")
struct AuditReportTests {
    static let types = [
        "project.created", "project.updated", "project.status_changed", "calculation.run", "calculation.approved",
        "project.status_changed", "project.status_changed",
    ]

    static func report(_ s: Scenario, _ format: String) async throws -> String {
        let out = s.file("report.\(format)")
        let result = try await s.cli("audit", "report", "--project", "project-\(s.projectID.lowercased)", "--format", format, "--out", out)
        #expect(result.status == 0, "\(result)")
        #expect(result.stdout.contains("7 events; store intact"), "\(result)")
        return try String(contentsOfFile: out, encoding: .utf8)
    }

    @Test func theJSONReportIsCompleteAndMatchesTheLibrarysAuditTrail() async throws {
        let s = try await Scenario.make()
        defer { s.remove() }
        let report = try CLI.object(try await Self.report(s, "json"))
        #expect(report["format"] as? String == "apex-audit-report/1")
        let verification = try #require(report["verification"] as? [String: Any])
        #expect(verification["ok"] as? Bool == true && verification["verdict"] as? String == "intact")
        #expect(verification["events_checked"] as? Int == 11)
        let project = try #require(report["project"] as? [String: Any])
        #expect(project["name"] as? String == Scenario.renamed && project["status"] as? String == "approved")

        let timeline = try #require(report["timeline"] as? [[String: Any]])
        #expect(timeline.compactMap { $0["type"] as? String } == Self.types)
        let created = timeline[0]
        #expect((created["actor"] as? [String: Any])?["name"] as? String == Scenario.ownerName)
        let metadata = try #require(created["request_metadata"] as? [String: Any])
        #expect(metadata["ip_address"] as? String == Scenario.ip && metadata["user_agent"] as? String == Scenario.userAgent)
        #expect(metadata["request_id"] as? String == "req-create")
        #expect(timeline[4]["reason"] as? String == Scenario.approvalReason)

        let approvals = try #require(report["approvals"] as? [[String: Any]])
        #expect(approvals.count == 1)
        let license = try #require(approvals.first?["pe_license"] as? [String: Any])
        #expect(license["number"] as? String == Scenario.license.number && license["state"] as? String == "TX")
        #expect(license["expires_on"] as? String == "2099-12-31")
        #expect(approvals.first?["result_hash_matches"] as? Bool == true)

        // The report says what the library says: the same audit trail, diff for diff, the same hashes.
        let store = try SQLiteEventStore(path: s.path)
        let events = try await store.readStream(.project(s.projectID))
        let trail = try ProjectHistory(events: events).auditTrail()
        let calculation = try #require(try ProjectState.replay(events).calculations[s.calculationID])
        try await store.close()
        #expect(approvals.first?["result_hash"] as? String == calculation.latest.resultHash)
        for (entry, row) in zip(trail, timeline) {
            let expected = try CLI.object(CanonicalJSON.string(entry.json()))
            for key in ["position", "version", "type", "recorded_at", "reason", "before", "after", "diff"] {
                #expect(Self.same(expected[key], row[key]), "\(key) of version \(entry.event.version)")
            }
            #expect(row["hash"] as? String == entry.event.hash)
        }
        let calculations = try #require(report["calculations"] as? [[String: Any]])
        let revision = try #require((calculations.first?["revisions"] as? [[String: Any]])?.first)
        #expect(Self.same(revision["outputs"], try CLI.object(CanonicalJSON.string(.object(calculation.latest.outputs)))))
        #expect(revision["result_hash_valid"] as? Bool == true)
    }

    static func same(_ a: Any?, _ b: Any?) -> Bool {
        func data(_ v: Any?) -> Data? {
            guard let v else { return nil }
            return try? JSONSerialization.data(withJSONObject: ["v": v], options: [.sortedKeys, .fragmentsAllowed])
        }
        return data(a) == data(b)
    }

    @Test func theCSVReportHasOneQuotedRowPerEvent() async throws {
        let s = try await Scenario.make()
        defer { s.remove() }
        let csv = try await Self.report(s, "csv")
        #expect(csv.hasSuffix("\r\n"))
        let rows = Self.parseCSV(csv)
        #expect(rows.first?.first == "position" && rows.first?.contains("reason") == true)
        #expect(rows.count == 1 + 7, "a header and one row per event")
        let header = rows[0]
        let column = { (name: String) in header.firstIndex(of: name)! }
        #expect(rows.dropFirst().map { $0[column("type")] } == Self.types)
        #expect(rows.allSatisfy { $0.count == header.count })
        let approval = rows[5]
        #expect(approval[column("reason")] == Scenario.approvalReason, "a comma and quotes survive RFC 4180 quoting")
        #expect(approval[column("data")].contains(Scenario.license.number))
        #expect(approval[column("request_id")] == "req-approve" && approval[column("ip_address")] == Scenario.ip)
        #expect(approval[column("actor_name")] == Scenario.ownerName)
        #expect(csv.contains("\"Checked \"\"wind\"\" loads, per ASCE 7-16\""))
    }

    /// A strict RFC 4180 reader: CRLF records, quoted fields with doubled quotes.
    static func parseCSV(_ text: String) -> [[String]] {
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

    @Test func theHTMLReportIsOneSelfContainedEscapedPrintablePage() async throws {
        let s = try await Scenario.make()
        defer { s.remove() }
        let html = try await Self.report(s, "html")
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        #expect(html.contains("@media print") && html.contains("<style>"))
        for external in ["http://", "https://", "<script", "<link", "src=", "url(", "@import"] {
            #expect(!html.contains(external), "the page must load nothing: found \(external)")
        }
        #expect(html.contains("Verified: intact"))
        #expect(html.contains("Main St &lt;Pylon&gt; &amp; Co") && !html.contains("<Pylon>"), "recorded text is escaped")
        #expect(html.contains("Checked &quot;wind&quot; loads, per ASCE 7-16"))
        for expected in Array(Set(Self.types)) + [Scenario.license.number, Scenario.ownerName, Scenario.ip, "req-approve", "2099-12-31"] {
            #expect(html.contains(expected), "\(expected) is in the page")
        }
        let store = try SQLiteEventStore(path: s.path)
        let calculation = try #require(try ProjectState.replay(try await store.readStream(.project(s.projectID))).calculations[s.calculationID])
        try await store.close()
        #expect(html.contains(calculation.latest.resultHash))
        #expect(html.contains("<code>S</code> = ") && html.contains("<code>Fb</code> = 30"), "inputs and outputs")
    }

    @Test func aTamperedStoreIsReportedAndItsBundleFailsLikeVerify() async throws {
        let s = try await Scenario.make()
        defer { s.remove() }
        // A forged checkpoint over a Merkle root the log does not have.
        let store = try SQLiteEventStore(path: s.path)
        let head = try await store.headPosition()
        let key = try await s.cli("keys").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        try await store.insertCheckpoint(Checkpoint(
            version: 2, position: head, digest: String(repeating: "ab", count: 32), createdAt: Date(), publicKey: key,
            signature: Data(repeating: 7, count: 64).base64EncodedString()))
        try await store.close()

        let verify = try await s.cli("verify", "--json")
        #expect(verify.status == 1)
        let out = s.file("report.json")
        let result = try await s.cli("audit", "report", "--project", s.projectID.lowercased, "--format", "json", "--out", out)
        #expect(result.status == 0 && result.stdout.contains("store TAMPERED"), "\(result)")
        let verification = try #require(try CLI.object(try String(contentsOfFile: out, encoding: .utf8))["verification"] as? [String: Any])
        #expect(verification["ok"] as? Bool == false && verification["verdict"] as? String == "TAMPERED")
        #expect((verification["first_failure"] as? [String: Any])?["kind"] as? String == "checkpoint_digest")
        let page = s.file("report.html")
        #expect(try await s.cli("audit", "report", "--project", s.projectID.lowercased, "--format", "html", "--out", page).status == 0)
        #expect(try String(contentsOfFile: page, encoding: .utf8).contains("TAMPERED OR CORRUPT"))

        // The bundle's proofs could not verify against the forged checkpoint: no bundle is
        // written, and the operator is sent to verify.
        let bundle = s.file("forged.apexbundle")
        let refused = try await s.cli("audit", "bundle", "--project", s.projectID.lowercased, "--out", bundle)
        #expect(refused.status != 0, "\(refused)")
        #expect((refused.stdout + refused.stderr).contains("does not hash to the checkpoint at position \(head): run apex-cli verify"), "\(refused)")
        #expect(!FileManager.default.fileExists(atPath: bundle))
    }
}
