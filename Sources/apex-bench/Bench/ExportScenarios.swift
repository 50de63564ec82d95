import ApexDomain
import ApexExport
import ApexServer
import ApexStore
import Foundation
import GRDB
import PostgresNIO

/// `export.projects`: what `GET /v1/exports/projects?format=csv` does for an owner (page through
/// the project list's read model, decode each summary, ask the policy, write a CSV row) over one
/// account of 100,000 projects (500 with `--quick`), against the bare SELECT of the same
/// documents from the same table, read to the end. Peak RSS of each side is the flat-memory
/// check; `extra.xlsxRowsPerSecond` and `extra.xlsxPeakMB` are one workbook export of the same rows.
enum ExportScenarios {
    static func run(_ kind: StoreKind, context: BenchContext, report: (ScenarioResult) -> Void) async throws {
        try await BenchHarness.with(kind, context: context) { h in
            let count = context.quick ? 500 : 100_000
            let account = UUID(), owner = UUID()
            try await withThrowingTaskGroup(of: Void.self) { group in
                for worker in 0..<4 {
                    group.addTask {
                        for i in stride(from: worker, to: count, by: 4) {
                            let id = UUID()
                            let fields = ProjectFields(
                                name: "Pylon \(i)", description: "Double-faced, lit, 40 ft", tags: ["lit"], site: Site(city: "Austin", state: "TX"))
                            let drafts = try ProjectDecider.decide(.create(projectID: id, fields: fields), state: ProjectState(), context: DecisionContext(now: Date()))
                            _ = try await h.store.append(
                                drafts.map { $0.proposed(id: UUID(), accountID: account, actor: .user(owner)) }, to: .project(id), expected: .noStream)
                        }
                    }
                }
                try await group.waitForAll()
            }
            let me = Principal(userID: owner, accountID: account, role: .owner)
            let include: @Sendable (ProjectState) -> Bool = { s in
                guard let id = s.id, !s.deleted else { return false }
                let resource = Resource.project(ProjectResource(accountID: account, projectID: id, status: s.status, clientID: s.fields.clientID, deleted: s.deleted))
                return AccessPolicy.decide(me, .projectView, resource, AccessContext(now: Date())).isAllowed
            }
            let exporter = ProjectExporter(store: h.store, presentation: .api(users: nil))
            let (rawSide, apexSide) = try await Comparison.measure(
                rounds: context.rounds,
                raw: {
                    try await ClosedLoop.passes(minimum: .zero, maxPasses: 1) { try await rawRows(h.store.featureDatabase, account: account) }
                },
                apex: {
                    try await ClosedLoop.passes(minimum: .zero, maxPasses: 1) {
                        var sink = CountingSink()
                        return try await CSVTableWriter.writing(to: &sink) { try await exporter.writeProjects(account: account, where: include, to: &$0) }
                    }
                })
            let clock = ContinuousClock()
            let ((xlsxRows, elapsed), xlsxMemory) = try await MemoryUse.measure {
                let start = clock.now
                let workbook = try XLSXWriter()
                var writer = workbook
                let rows = try await exporter.writeProjects(account: account, where: include, to: &writer)
                try await workbook.finish()
                return (rows, clock.now - start)
            }
            var result = ScenarioResult(
                id: "export.projects", title: "export \(count) projects as CSV", store: kind, concurrency: 1,
                workload: "ProjectExporter.writeProjects (read-model pages of 500, decode, policy, CSV row) vs SELECT key, document of the account's read models",
                apex: apexSide, raw: rawSide, minRatio: nil)
            result.extra["xlsxRowsPerSecond"] = Double(xlsxRows) / max(elapsed.seconds, 0.000_001)
            result.extra["xlsxPeakMB"] = xlsxMemory.peakMB
            report(result)
        }
    }

    /// Every document of the account's project list, read to the end; returns how many.
    static func rawRows(_ database: FeatureDatabase, account: UUID) async throws -> Int {
        switch database {
        case .sqlite(let pool):
            return try await pool.read { db in
                var n = 0
                let rows = try Row.fetchCursor(
                    db, sql: "SELECT key, document FROM read_models WHERE projection = 'projects' AND partition = ?", arguments: [account.lowercased])
                while let row = try rows.next() {
                    let document: String = row["document"]
                    n += document.isEmpty ? 0 : 1
                }
                return n
            }
        case .postgres(let client):
            var n = 0
            let rows = try await client.query(
                "SELECT key, document FROM read_models WHERE projection = 'projects' AND partition = \(account.lowercased)", logger: Logger(label: "apex.bench.export"))
            for try await (_, document) in rows.decode((String, String).self) { n += document.isEmpty ? 0 : 1 }
            return n
        case .none:
            return 0
        }
    }
}

/// Counts an export's bytes and drops them.
struct CountingSink: ExportSink {
    var bytes = 0
    mutating func write(_ chunk: [UInt8]) async throws { bytes += chunk.count }
}
