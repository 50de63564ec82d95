import ApexDomain
import ApexTestSupport
import Foundation
import Testing

/// `apex-cli export`, offline, on both stores: what the export routes serve, written to a file.
@Suite("apex-cli export")
struct ExportCommandTests {
    static func withScenario(_ postgres: Bool, _ body: (Scenario) async throws -> Void) async throws {
        try await Scenario.with(postgres: postgres, body)
    }

    @Test(arguments: [false, true])
    func exportsAProjectAndAnAccountsProjectsToFiles(_ postgres: Bool) async throws {
        try await Self.withScenario(postgres) { s in
            let csv = s.file("trail.csv")
            let one = try await s.cli("export", "project", s.projectID.lowercased, "--format", "csv", "--out", csv, "--json")
            #expect(one.status == 0, "\(one)")
            let summary = try CLI.object(one.stdout)
            #expect(summary["rows"] as? Int == 7 && summary["format"] as? String == "csv", "\(one)")
            let text = try String(contentsOfFile: csv, encoding: .utf8)
            #expect(text.hasPrefix("position,version,type,recorded_at,"))
            #expect(text.components(separatedBy: "\r\n").filter { !$0.isEmpty }.count == 8, "a header and seven events")
            #expect(text.contains(Scenario.ip), "the operator sees request metadata")
            #expect(one.stderr.isEmpty, "no progress when not a terminal: \(one.stderr)")

            let json = s.file("project.json")
            let whole = try await s.cli("export", "project", "project-\(s.projectID.lowercased)", "--out", json)
            #expect(whole.status == 0 && whole.stdout.hasPrefix("wrote \(json): json export of project"), "\(whole)")
            let document = try CLI.object(try String(contentsOfFile: json, encoding: .utf8))
            #expect((document["audit"] as? [Any])?.count == 7)
            #expect((document["project"] as? [String: Any])?["name"] as? String == Scenario.renamed)
            #expect(((document["calculations"] as? [[String: Any]])?.first?["approval"] as? [String: Any])?["at"] is String)

            let xlsx = s.file("projects.xlsx")
            let all = try await s.cli("export", "projects", "--account", s.accountID.lowercased, "--format", "xlsx", "--out", xlsx, "--json")
            #expect(all.status == 0, "\(all)")
            #expect(try CLI.object(all.stdout)["rows"] as? Int == 2, "the scenario's two projects")
            let bytes = try Data(contentsOf: URL(fileURLWithPath: xlsx))
            #expect(bytes.prefix(2) == Data("PK".utf8), "a ZIP file")
        }
    }

    @Test func anUnknownProjectFailsAndLeavesNoFile() async throws {
        try await Self.withScenario(false) { s in
            let out = s.file("nothing.json")
            let result = try await s.cli("export", "project", UUID().lowercased, "--out", out)
            #expect(result.status != 0 && result.stderr.contains("no project"), "\(result)")
            #expect(!FileManager.default.fileExists(atPath: out))
            let bad = try await s.cli("export", "projects", "--account", s.accountID.lowercased, "--format", "json", "--out", out)
            #expect(bad.status != 0 && bad.stderr.contains("ndjson, csv or xlsx"), "\(bad)")
        }
    }
}
