import ApexChildProcess
import ApexTestSupport
import Foundation
import Testing

/// Runs the built `apex-bench --quick` on SQLite and checks the shape of its JSON: every
/// scenario is there with a positive throughput on both sides and a ratio, and the scale and
/// cold-start scenarios carry their figures. No timing is asserted: the machine is shared, and
/// `--quick` measures nothing worth comparing.
@Suite("apex-bench smoke run")
struct BenchSmokeTests {
    static let scenarios = [
        "append.single", "append.batch100", "auditlog.uniform", "auditlog.zipf", "replay.stream", "catchup.readAll", "verify",
        "http.create", "http.patch", "http.get", "scale.get", "scale.patch", "scale.patch.concurrent", "scale.patch.insert", "coldstart",
        "search.query", "upload",
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
            binary.path, ["--quick", "--store-kinds", "sqlite", "--scale-events", "600", "--dir", scratch.path, "--json", json.path], in: root)
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
        Self.checkScale(results, longProject: 600)
        let upload = results.first { $0["id"] as? String == "upload" } ?? [:]
        #expect((upload["extra"] as? [String: Double])?["apex_peak_rss_mb"] ?? 0 > 0, "upload: the peak RSS of the uploading side")
    }

    /// The scale and cold-start results say what the issue asks them to: the long project's size,
    /// p50 and p99 on both sides, the targets, the 409s of the concurrent PATCHes (none: one
    /// server queues a project's writes), and the server's time to ready and memory.
    static func checkScale(_ results: [[String: Any]], longProject: Int) {
        func result(_ id: String) -> [String: Any] { results.first { $0["id"] as? String == id } ?? [:] }
        func extra(_ r: [String: Any]) -> [String: Double] { r["extra"] as? [String: Double] ?? [:] }
        for id in ["scale.get", "scale.patch", "scale.patch.concurrent", "scale.patch.insert"] {
            let r = result(id)
            for side in ["apex", "raw"] {
                let latency = (r[side] as? [String: Any])?["latency_ms"] as? [String: Any]
                #expect(latency?["p50"] is Double && latency?["p99"] is Double, "\(id): \(side) p50 and p99")
            }
            #expect((extra(r)["server_rss_mb"] ?? 0) > 0, "\(id): the server's memory")
        }
        for id in ["scale.get", "scale.patch"] {
            #expect(result(id)["log_events"] as? Int == longProject, "\(id): the long project's events")
            #expect(result(id)["target_min_ratio"] as? Double == 0.8, "\(id): target")
            #expect(result(id)["concurrency"] as? Int == 1)
        }
        let concurrent = result("scale.patch.concurrent")
        #expect(concurrent["concurrency"] as? Int == 8)
        #expect(extra(concurrent)["conflicts_409"] == 0, "8 clients of one server got 409s: \(extra(concurrent))")
        #expect(concurrent["met"] as? Bool == true)
        #expect(result("scale.patch.insert")["target_min_ratio"] as? Double == 0.5)
        let cold = result("coldstart")
        #expect(cold["log_events"] as? Int == 2_000)
        for key in ["seconds_to_ready", "seconds_to_ready_empty", "rss_mb", "rss_mb_empty", "build_events_per_second"] {
            #expect((extra(cold)[key] ?? 0) > 0, "coldstart: \(key) in \(extra(cold))")
        }
    }

    /// Runs a program to completion; its standard output, then its standard error.
    static func run(_ executable: String, _ arguments: [String], in directory: URL) async throws -> (status: Int32, output: String) {
        let outcome = try await ChildProcess.run(executable, arguments, removing: { $0.hasPrefix("APEX_") }, in: directory.path, outputLimit: 16 << 20)
        return (outcome.status, outcome.output + outcome.errors)
    }
}
