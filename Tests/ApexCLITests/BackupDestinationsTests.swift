import Foundation
import Testing

@Suite("apex-cli backup: --to repeated")
struct BackupDestinationsTests {
    /// `backup create` and `backup ship` to two folders and a third that cannot be written:
    /// every destination's outcome is printed (JSON and text), the two folders get everything,
    /// and the exit status is 1 because one failed.
    @Test func eachDestinationIsReportedAndOneFailingMakesTheExitStatusOne() async throws {
        let s = try await Scenario.make()
        defer { s.remove() }
        let siteA = s.file("site-a")
        let siteB = s.file("site-b")
        // `base` and `segments` are files there, so nothing can be written under them.
        let blocked = s.file("blocked")
        try FileManager.default.createDirectory(atPath: blocked, withIntermediateDirectories: true)
        for name in ["base", "segments"] { try Data("not a folder".utf8).write(to: URL(fileURLWithPath: "\(blocked)/\(name)")) }

        let both = try await s.cli("backup", "create", "--to", siteA, "--to", siteB, "--json")
        #expect(both.status == 0, "\(both)")
        let bothReport = try CLI.object(both.stdout)
        #expect(bothReport["ok"] as? Bool == true)
        #expect((bothReport["destinations"] as? [[String: Any]])?.map { $0["ok"] as? Bool } == [true, true])

        let created = try await s.cli("backup", "create", "--to", siteA, "--to", blocked, "--to", siteB, "--json")
        #expect(created.status == 1, "\(created)")
        #expect(created.stderr.contains("1 of 3 destinations failed"), "\(created)")
        let report = try CLI.object(created.stdout)
        #expect(report["ok"] as? Bool == false)
        let manifest = try #require(report["manifest"] as? [String: Any])
        let id = try #require(manifest["id"] as? String)
        let destinations = try #require(report["destinations"] as? [[String: Any]])
        #expect(destinations.map { $0["ok"] as? Bool } == [true, false, true])
        #expect((destinations[0]["destination"] as? String)?.hasSuffix("/site-a") == true)
        #expect(destinations[0]["delivered"] as? [String] == ["base/\(id)/store.sqlite.gz", "base/\(id)/manifest.json"])
        #expect((destinations[1]["destination"] as? String)?.hasSuffix("/blocked") == true)
        #expect((destinations[1]["error"] as? [String: Any])?["code"] as? String == "transfer")
        #expect(destinations[1]["delivered"] == nil)
        for folder in [siteA, siteB] {
            #expect(FileManager.default.fileExists(atPath: "\(folder)/base/\(id)/manifest.json"), "\(folder)")
        }

        let shipped = try await s.cli("backup", "ship", "--to", siteA, "--to", blocked, "--to", siteB)
        #expect(shipped.status == 1, "\(shipped)")
        let lines = shipped.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 3, "\(shipped)")
        if lines.count == 3 {
            #expect(lines[0].hasPrefix("shipped 1 segments (") && lines[0].hasSuffix("events) → \(siteA)"), "\(lines[0])")
            #expect(lines[1].hasPrefix("shipping FAILED → \(blocked): transfer: "), "\(lines[1])")
            #expect(lines[2].hasPrefix("shipped 1 segments (") && lines[2].hasSuffix("events) → \(siteB)"), "\(lines[2])")
        }
        // Each folder alone is a whole backup: the restore drill passes on both.
        for folder in [siteA, siteB] {
            let drill = try await s.cli("backup", "verify", "--from", folder)
            #expect(drill.status == 0, "\(folder): \(drill)")
        }

        let twice = try await s.cli("backup", "ship", "--to", siteA, "--to", siteA)
        #expect(twice.status != 0 && twice.stderr.contains("each --to destination once"), "\(twice)")
        let none = try await s.cli("backup", "create")
        #expect(none.status != 0 && none.stderr.contains("give a destination"), "\(none)")
    }
}

@Suite("apex-cli serve: --backup-to and --ship-to repeated")
struct ServeBackupDestinationsTests {
    /// A server given two backup and two shipping destinations writes its scheduled base backup
    /// to both and ships the log to both, each of which then passes the restore drill alone.
    @Test func aServerBacksUpAndShipsToEveryDestination() async throws {
        let s = try await Scenario.make()
        defer { s.remove() }
        let (siteA, siteB) = (s.file("site-a"), s.file("site-b"))
        var environment = s.environment
        environment["APEX_JWT_SECRET"] = "backup-destination-tests-jwt-secret-0123456789"
        let serve = ["serve", "--backup-to", siteA, "--backup-to", siteB, "--backup-every", "1s", "--ship-to", siteA, "--ship-to", siteB]
        try await ServeProcess.with(serve, environment: environment, token: "") { _ in
            // The base backup runs after its first interval; wait for it on both sites.
            let deadline = ContinuousClock.now + .seconds(60)
            while ContinuousClock.now < deadline, ![siteA, siteB].allSatisfy({ Self.baseBackups(in: $0) > 0 }) {
                try await Task.sleep(for: .milliseconds(200))
            }
        }
        for folder in [siteA, siteB] {
            #expect(Self.baseBackups(in: folder) > 0, "no base backup in \(folder)")
            let segments = (try? FileManager.default.contentsOfDirectory(atPath: "\(folder)/segments")) ?? []
            #expect(!segments.isEmpty, "no shipped segment in \(folder)")
            let drill = try await s.cli("backup", "verify", "--from", folder)
            #expect(drill.status == 0, "\(folder): \(drill)")
        }
        let twice = try await CLI.run(["serve", "--ship-to", siteA, "--ship-to", siteA], environment: environment)
        #expect(twice.status != 0 && twice.stderr.contains("each --ship-to destination once"), "\(twice)")
    }

    static func baseBackups(in folder: String) -> Int {
        let ids = (try? FileManager.default.contentsOfDirectory(atPath: "\(folder)/base")) ?? []
        return ids.filter { FileManager.default.fileExists(atPath: "\(folder)/base/\($0)/manifest.json") }.count
    }
}
