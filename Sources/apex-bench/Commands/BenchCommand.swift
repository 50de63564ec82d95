import ApexCommandLine
import ArgumentParser
import Foundation
import Logging

/// `apex-bench` (`apex-bench run`): Apex against the raw databases it runs on, every figure a ratio measured
/// in the same run (see docs/performance.md).
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run", abstract: "Benchmark Apex against plain SQL on the same database, in one run.",
        discussion: """
            Each scenario runs its raw baseline right before Apex, in this process, on the same database kind and settings, \
            and reports Apex/raw. PostgreSQL comes from POSTGRES_HOSTNAME, POSTGRES_PORT, POSTGRES_USER, POSTGRES_PASSWORD and \
            POSTGRES_DB: run it as `scripts/with-postgres.sh swift run -c release apex-bench`.
            """)

    @Option(help: "Store kinds to measure, comma-separated: sqlite, postgres.")
    var storeKinds: String = "sqlite,postgres"
    @Flag(help: "Small sizes and short runs: a smoke run, not a measurement.")
    var quick = false
    @Option(help: "Events in the log for catch-up and verify (also measured at a tenth). Default 100000 (2000 with --quick).")
    var events: Int?
    @Option(help: "Seconds each side of a throughput scenario runs per round. Default 5 (0.3 with --quick).")
    var seconds: Double?
    @Option(help: "Concurrent HTTP clients. Default 16 (4 with --quick).")
    var clients: Int?
    @Option(help: "Events of the long project the scale scenarios compare with a 10-event one. Default 100000 (1000 with --quick).")
    var scaleEvents: Int?
    @Option(help: "Events in the log the cold start is measured on. Default 1000000 (2000 with --quick).")
    var coldstartEvents: Int?
    @Option(help: "Only these scenario groups, comma-separated: append, batch, auditlog, reads, http, scale, coldstart, search, upload, export, webhooks. Default: all.")
    var only: String?
    @Option(help: "Random seed of the workload.")
    var seed: UInt64 = 42
    @Option(help: "Folder for the scratch SQLite databases. Default: the temporary folder.")
    var dir: String?
    @Option(help: "Also write the results as JSON to this file.")
    var json: String?

    func validate() throws {
        for name in kindNames where StoreKind(rawValue: name) == nil {
            throw ValidationError("unknown store kind '\(name)' in --store-kinds; use sqlite, postgres or both (sqlite,postgres)")
        }
        for name in onlyNames where !BenchRunner.groups.contains(name) {
            throw ValidationError("unknown scenario group '\(name)' in --only; use \(BenchRunner.groups.joined(separator: ", "))")
        }
        if let events, events < 10 { throw ValidationError("--events must be at least 10") }
        if let seconds, seconds <= 0 { throw ValidationError("--seconds must be positive") }
        if let clients, clients < 1 { throw ValidationError("--clients must be at least 1") }
        if let scaleEvents, scaleEvents < 20 { throw ValidationError("--scale-events must be at least 20") }
        if let coldstartEvents, coldstartEvents < 1 { throw ValidationError("--coldstart-events must be at least 1") }
    }

    private var kindNames: [String] {
        storeKinds.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }.filter { !$0.isEmpty }
    }

    private var onlyNames: [String] {
        (only ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }.filter { !$0.isEmpty }
    }

    func run() async throws {
        let postgres = PostgresTarget.fromEnvironment()
        let asked = kindNames.compactMap(StoreKind.init(rawValue:))
        let (kinds, skipped) = BenchRunner.available(asked, postgres: postgres)
        let context = BenchContext.make(
            quick: quick, events: events, seed: seed, seconds: seconds, clients: clients, scaleEvents: scaleEvents,
            coldStartEvents: coldstartEvents, workDirectory: dir, postgres: postgres,
            logger: makeLogger("apex-bench", level: ProcessInfo.processInfo.environment["APEX_BENCH_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .error))
        var runner = BenchRunner(context: context, kinds: kinds, groups: onlyNames.isEmpty ? BenchRunner.groups : onlyNames)
        runner.report.skipped = skipped
        let table = BenchTable()
        table.header(runner.report, skipped: skipped)
        try await runner.run(table: table)
        table.footer(runner.report)
        if let json {
            do { try runner.report.write(json: json) } catch { throw CLIError("cannot write the JSON results to \(json): \(error.localizedDescription)") }
        }
        // A missed target is a measurement; a scenario that failed is an error.
        if !runner.report.failed.isEmpty {
            throw CLIError("\(runner.report.failed.count) scenario group(s) failed: \(runner.report.failed.joined(separator: ", "))")
        }
    }
}
