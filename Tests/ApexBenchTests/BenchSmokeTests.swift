import Foundation
import Testing

/// Runs the built `apex-cli bench --quick` on SQLite and checks the shape of its JSON: every
/// scenario is there with a positive throughput on both sides and a ratio. No timing is
/// asserted: the machine is shared, and `--quick` measures nothing worth comparing.
@Suite("apex-cli bench smoke run")
struct BenchSmokeTests {
    static let scenarios = [
        "append.single", "append.batch100", "auditlog.uniform", "auditlog.zipf", "replay.stream", "catchup.readAll", "verify",
        "http.create", "http.patch", "http.get",
    ]

    @Test("a quick SQLite run reports every scenario with positive throughput and a ratio", .timeLimit(.minutes(30)))
    func quickSQLiteRun() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let binary = root.appendingPathComponent(".build/debug/apex-cli")
        if !FileManager.default.isExecutableFile(atPath: binary.path) {
            let build = try Self.run("/usr/bin/env", ["swift", "build", "--product", "apex-cli"], in: root)
            try #require(build.status == 0, "swift build --product apex-cli failed:\n\(build.output)")
        }
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("apex-bench-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let json = scratch.appendingPathComponent("bench.json")

        let bench = try Self.run(
            binary.path, ["bench", "--quick", "--store-kinds", "sqlite", "--dir", scratch.path, "--json", json.path], in: root)
        try #require(bench.status == 0, "apex-cli bench failed:\n\(bench.output)")
        #expect(bench.output.contains("ratio"), "the table is printed")

        let report = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: json)) as? [String: Any])
        let results = try #require(report["scenarios"] as? [[String: Any]])
        let machine = try #require(report["machine"] as? [String: Any])
        #expect((machine["processors"] as? Int ?? 0) > 0)
        #expect(machine["cpu_model"] is String)
        #expect((report["skipped"] as? [String] ?? []).filter { $0.contains("FAILED") }.isEmpty, "\(report["skipped"] ?? "")")
        for id in Self.scenarios {
            let matching = results.filter { $0["id"] as? String == id }
            #expect(!matching.isEmpty, "scenario \(id) is missing")
            for result in matching {
                let apex = result["apex"] as? [String: Any], raw = result["raw"] as? [String: Any]
                #expect((apex?["events_per_second"] as? Double ?? 0) > 0, "\(id): Apex throughput")
                #expect((raw?["events_per_second"] as? Double ?? 0) > 0, "\(id): baseline throughput")
                #expect(result["ratio"] is Double, "\(id): ratio")
                #expect(result["store"] as? String == "sqlite")
            }
        }
    }

    /// Runs a program to completion; output (stdout and stderr) goes through a file, not a pipe,
    /// so a chatty child never blocks.
    static func run(_ executable: String, _ arguments: [String], in directory: URL) throws -> (status: Int32, output: String) {
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("apex-bench-test-\(UUID().uuidString).log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: log) }
        let handle = try FileHandle(forWritingTo: log)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.currentDirectoryURL = directory
        process.environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("APEX_") }
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        process.waitUntilExit()
        try handle.close()
        return (process.terminationStatus, (try? String(contentsOf: log, encoding: .utf8)) ?? "")
    }
}
