import ApexChildProcess
import ApexTestSupport
import Foundation
import Testing

/// Runs the built `apex-bench --quick` on SQLite and checks the shape of its JSON: every
/// scenario is there with a positive throughput on both sides and a ratio. No timing is
/// asserted: the machine is shared, and `--quick` measures nothing worth comparing.
@Suite("apex-bench smoke run")
struct BenchSmokeTests {
    static let scenarios = [
        "append.single", "append.batch100", "auditlog.uniform", "auditlog.zipf", "replay.stream", "catchup.readAll", "verify",
        "http.create", "http.patch", "http.get",
    ]

    @Test("a quick SQLite run reports every scenario with positive throughput and a ratio", .timeLimit(.minutes(30)))
    func quickSQLiteRun() async throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let binary = URL(fileURLWithPath: try BuiltProducts.executable("apex-bench"))
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("apex-bench-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let json = scratch.appendingPathComponent("bench.json")

        let bench = try await Self.run(
            binary.path, ["--quick", "--store-kinds", "sqlite", "--dir", scratch.path, "--json", json.path], in: root)
        try #require(bench.status == 0, "apex-bench failed:\n\(bench.output)")
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

    /// Runs a program to completion; its standard output, then its standard error.
    static func run(_ executable: String, _ arguments: [String], in directory: URL) async throws -> (status: Int32, output: String) {
        let outcome = try await ChildProcess.run(executable, arguments, removing: { $0.hasPrefix("APEX_") }, in: directory.path, outputLimit: 16 << 20)
        return (outcome.status, outcome.output + outcome.errors)
    }
}
