import ApexDomain
import ApexStore
import ApexTestSupport
import Foundation
import GRDB
import Testing

/// The offline forensic commands on real SQLite and PostgreSQL stores: output and exit codes.
@Suite("apex-cli events, replay, history, verify, checkpoint, keys")
struct ForensicCommandTests {
    enum Kind: String, CaseIterable, Sendable { case sqlite, postgres }

    static func withScenario(_ kind: Kind, _ body: (Scenario) async throws -> Void) async throws {
        switch kind {
        case .sqlite:
            let s = try await Scenario.make()
            defer { s.remove() }
            try await body(s)
        case .postgres:
            try await TestPostgres.withDatabase { database in
                let s = try await Scenario.make(postgresURL: database.url)
                defer { s.remove() }
                try await body(s)
            }
        }
    }

    static func tamper(_ s: Scenario, kind: Kind, position: Int...) async throws {
        switch kind {
        case .sqlite:
            let queue = try DatabaseQueue(path: s.path)
            try await queue.write { db in
                try db.execute(sql: "DROP TRIGGER events_reject_update")
                for p in position { try db.execute(sql: "UPDATE events SET reason = 'rewritten later' WHERE position = \(p)") }
            }
            try queue.close()
        case .postgres:
            let database = try TestPostgres.Database(name: String(s.url.split(separator: "/").last ?? ""))
            try await database.execute("ALTER TABLE events DISABLE TRIGGER USER")
            for p in position { try await database.execute("UPDATE events SET reason = 'rewritten later' WHERE position = \(p)") }
        }
    }

    @Test(arguments: Kind.allCases)
    func eventsReplayAndHistoryReadTheTrailOffline(kind: Kind) async throws {
        try await Self.withScenario(kind) { s in
            let all = try await s.cli("events", "--json")
            #expect(all.status == 0, "\(all)")
            let lines = all.stdout.split(separator: "\n").map { try? CLI.object(String($0)) }
            // account.created, pe_license_changed, and 9 project events (7 of the main project).
            #expect(lines.count == 11)
            #expect(lines.allSatisfy { $0 != nil })
            let approvals = try await s.cli("events", "--json", "--type", "calculation.approved")
            #expect(approvals.stdout.split(separator: "\n").count == 1)
            #expect(approvals.stdout.contains(Scenario.approvalReason.replacingOccurrences(of: "\"", with: "\\\"")))
            let stream = try await s.cli("events", "--stream", "project-\(s.projectID.uuidString.lowercased())")
            #expect(stream.stdout.split(separator: "\n").count == 7)

            let first = try CLI.object(try await s.cli("replay", "--project", s.projectID.uuidString, "--at-version", "1", "--json").stdout)
            #expect((first["fields"] as? [String: Any])?["name"] as? String == Scenario.projectName)
            let now = try CLI.object(try await s.cli("replay", "--project", s.projectID.uuidString, "--json").stdout)
            #expect((now["fields"] as? [String: Any])?["name"] as? String == Scenario.renamed)
            #expect(now["status"] as? String == "approved")
            #expect((now["state_hash"] as? String)?.count == 64)
            #expect(try await s.cli("replay", "--project", UUID().uuidString).status != 0)

            let history = try CLI.object(try await s.cli("history", "--project", s.projectID.uuidString, "--json").stdout)
            let items = try #require(history["items"] as? [[String: Any]])
            #expect(items.count == 7)
            #expect(items.last?["reason"] as? String == Scenario.statusReason)
            let renamed = (items[1]["diff"] as? [String: Any])?["changed"] as? [String: Any]
            #expect((renamed?["name"] as? [String: Any])?["after"] as? String == Scenario.renamed)
            #expect((renamed?["site.city"] as? [String: Any])?["before"] as? String == "Austin")
            let text = try await s.cli("history", "--project", s.projectID.uuidString)
            #expect(text.stdout.contains("why: \(Scenario.approvalReason)"))
            #expect(!text.stdout.contains("\u{1B}["), "no colour codes when not a terminal")
        }
    }

    @Test(arguments: Kind.allCases)
    func verifyExitsZeroWhenIntactOneWhenTamperedTwoWhenItCannotRun(kind: Kind) async throws {
        try await Self.withScenario(kind) { s in
            let sealed = try await s.cli("checkpoint", "--json")
            #expect(sealed.status == 0, "\(sealed)")
            #expect(try CLI.object(sealed.stdout)["position"] as? Int == 11)
            let key = try await s.cli("keys").stdout.trimmingCharacters(in: .whitespacesAndNewlines)

            let intact = try await s.cli("verify", "--json", "--public-key", key)
            #expect(intact.status == 0, "\(intact)")
            let report = try CLI.object(intact.stdout)
            #expect(report["ok"] as? Bool == true)
            #expect(report["events_checked"] as? Int == 11)
            #expect(report["checkpoints_checked"] as? Int == 1)
            #expect(try await s.cli("verify").stdout.hasPrefix("intact: 11 events"))

            let stranger = Data(repeating: 9, count: 32).base64EncodedString()
            #expect(try await s.cli("verify", "--public-key", stranger).status == 1)

            try await Self.tamper(s, kind: kind, position: 7)
            let tampered = try await s.cli("verify", "--json")
            #expect(tampered.status == 1, "\(tampered)")
            let failure = try #require(try CLI.object(tampered.stdout)["first_failure"] as? [String: Any])
            #expect(failure["kind"] as? String == "hash_mismatch")
            #expect(failure["position"] as? Int == 7)
            #expect(try await s.cli("verify").stdout.hasPrefix("TAMPERED OR CORRUPT: hash_mismatch"))

            let unreachable = try await CLI.run(["verify", "--store", "postgres://apex@127.0.0.1:1/none"], environment: [:])
            #expect(unreachable.status == 2, "\(unreachable)")
            let malformed = try await CLI.run(["verify", "--store", "mysql://x"], environment: [:])
            #expect(malformed.status == 2)
            #expect(malformed.stderr.contains("sqlite: or postgres://"))
        }
    }

    /// Verify goes on past the first failure: two altered events in two streams are both named,
    /// in the JSON and in the text, with the counts.
    @Test(arguments: Kind.allCases)
    func verifyNamesEveryAlteredEventInEveryStream(kind: Kind) async throws {
        try await Self.withScenario(kind) { s in
            // Position 1 is the account's first event, position 7 one of the project's.
            try await Self.tamper(s, kind: kind, position: 1, 7)
            let tampered = try await s.cli("verify", "--json")
            #expect(tampered.status == 1, "\(tampered)")
            let report = try CLI.object(tampered.stdout)
            #expect(report["events_checked"] as? Int == 11)
            #expect(report["streams_failed"] as? Int == 2)
            let failures = try #require(report["failures"] as? [[String: Any]])
            let altered = failures.filter { $0["kind"] as? String == "hash_mismatch" }
            #expect(altered.compactMap { $0["position"] as? Int } == [1, 7])
            #expect(Set(altered.compactMap { $0["stream"] as? String }).count == 2)
            #expect(report["failures_total"] as? Int == failures.count)

            let text = try await s.cli("verify")
            #expect(text.status == 1)
            let lines = text.stdout.split(separator: "\n").map(String.init)
            #expect(lines.first?.hasPrefix("TAMPERED OR CORRUPT: hash_mismatch") == true)
            #expect(lines.contains { $0.contains("\(failures.count) failures (2 streams, 0 checkpoints) in 11 events") }, "\(text.stdout)")
            #expect(lines.filter { $0.hasPrefix("  hash_mismatch") && $0.contains("position 1:") }.count == 1, "\(text.stdout)")
            #expect(lines.filter { $0.hasPrefix("  hash_mismatch") && $0.contains("position 7:") }.count == 1, "\(text.stdout)")
        }
    }
}
