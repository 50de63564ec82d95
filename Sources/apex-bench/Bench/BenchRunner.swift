import ApexDomain
import Foundation

/// Runs every scenario on every store kind asked for, printing each result as it comes.
struct BenchRunner {
    let context: BenchContext
    let kinds: [StoreKind]
    /// The scenario groups to run (see ``groups``).
    let only: Set<String>
    var report: BenchReport

    /// Every scenario group, in the order they run.
    static let groups = ["append", "batch", "auditlog", "reads", "http", "scale", "coldstart", "search", "upload", "export", "webhooks"]

    init(context: BenchContext, kinds: [StoreKind], groups: [String] = Self.groups) {
        self.context = context
        self.kinds = kinds
        only = Set(groups)
        report = BenchReport(
            startedAt: Timestamp.format(Date()),
            options: BenchReport.Options(
                quick: context.quick, events: context.events, seed: context.seed, secondsPerSide: context.duration.seconds,
                rounds: context.rounds, writers: context.writers, clients: context.clients, streams: context.streams,
                replayEvents: context.replayEvents, scaleEvents: context.scaleEvents,
                coldStartEvents: context.coldStartEvents, storeKinds: kinds, groups: groups),
            machine: MachineInfo.current(workDirectory: context.workDirectory))
    }

    /// The store kinds that can run, and why the others cannot.
    static func available(_ asked: [StoreKind], postgres: PostgresTarget?) -> (run: [StoreKind], skipped: [String]) {
        var run: [StoreKind] = [], skipped: [String] = []
        for kind in asked {
            if kind == .postgres && postgres == nil {
                skipped.append(
                    "postgres: SKIPPED, POSTGRES_HOSTNAME/POSTGRES_USER/POSTGRES_DB are not set (run under scripts/with-postgres.sh)")
            } else {
                run.append(kind)
            }
        }
        return (run, skipped)
    }

    mutating func run(table: BenchTable) async throws {
        let context = self.context
        for kind in kinds {
            report.stores[kind.rawValue] = try await BenchHarness.with(kind, context: context) { h in try await h.raw.settings() }
            table.settings(kind, report.stores[kind.rawValue] ?? [:])
        }
        table.tableHeader()
        for kind in kinds {
            let writerCounts = kind == .postgres ? [1, context.writers] : [1]
            for writers in writerCounts where only.contains("append") {
                await add(table, "append.single \(kind) ×\(writers)") {
                    try await AppendScenarios.appends(kind, context: context, writers: writers, batch: 1, minRatio: writers == 1 ? 0.85 : 0.8)
                }
            }
            if only.contains("batch") {
                await add(table, "append.batch100 \(kind)") {
                    try await AppendScenarios.appends(kind, context: context, writers: 1, batch: 100, minRatio: 0.8)
                }
            }
            for distribution in [StreamDistribution.uniform, .zipf(exponent: 0.99)] where only.contains("auditlog") {
                await add(table, "auditlog \(distribution) \(kind)") {
                    try await AppendScenarios.auditLog(kind, context: context, distribution: distribution, minRatio: kind == .postgres ? 0.8 : 0.85)
                }
            }
            if only.contains("reads") {
                await addAll(table, "reads \(kind)") { emit in try await ReadScenarios.run(kind, context: context, report: emit) }
            }
            if only.contains("http") {
                await addAll(table, "http \(kind)") { emit in try await HTTPScenarios.run(kind, context: context, report: emit) }
            }
            if only.contains("scale") {
                await addAll(table, "scale \(kind)") { emit in try await ScaleScenarios.run(kind, context: context, report: emit) }
            }
            if only.contains("coldstart") {
                await add(table, "coldstart \(kind)") { try await ColdStart.run(kind, context: context) }
            }
            if only.contains("search") {
                await addAll(table, "search \(kind)") { emit in try await SearchScenarios.run(kind, context: context, report: emit) }
            }
            if only.contains("upload") {
                await addAll(table, "upload \(kind)") { emit in try await UploadScenarios.run(kind, context: context, report: emit) }
            }
            if only.contains("export") {
                await addAll(table, "export \(kind)") { emit in try await ExportScenarios.run(kind, context: context, report: emit) }
            }
            if only.contains("webhooks") {
                await add(table, "webhooks \(kind)") { try await WebhookScenarios.run(kind, context: context) }
            }
        }
        report.finishedAt = Timestamp.format(Date())
        report.loadAverageAtEnd = MachineInfo.loadAverage()
    }

    private mutating func add(_ table: BenchTable, _ name: String, _ body: () async throws -> ScenarioResult) async {
        await addAll(table, name) { emit in emit(try await body()) }
    }

    /// Runs a group of scenarios; a failure is reported and the run goes on (and then exits
    /// with an error).
    private mutating func addAll(_ table: BenchTable, _ name: String, _ body: ((ScenarioResult) -> Void) async throws -> Void) async {
        var results: [ScenarioResult] = []
        table.progress("running \(name) …")
        do {
            try await body { result in
                results.append(result)
                table.row(result)
            }
        } catch {
            report.skipped.append("\(name): FAILED, \(error)")
            report.failed.append(name)
            table.failure(name, error)
        }
        report.scenarios += results
    }
}
