import ApexCommandLine
import ApexDomain
import ApexServer
import ApexStore
import AsyncHTTPClient
import Crypto
import Foundation
import NIOCore
import NIOHTTP1
import Synchronization

/// Request cost against history length, through a real server: `apex-bench serve` in a process of
/// its own (``ServerProcess``) on the scratch store, over a loopback socket.
///
/// - `scale.get`, `scale.patch`: one client, sequential requests, to a project of
///   ``BenchContext/scaleEvents`` events against the same requests to a 10-event one.
/// - `scale.patch.concurrent`: 8 clients PATCHing one project without `If-Match`, against one
///   client doing the same: the 409s (there must be none) and the throughput.
/// - `scale.patch.insert`: one client's sequential PATCHes against one writer's raw durable insert
///   of one row on the same database.
enum ScaleScenarios {
    /// The concurrent clients of `scale.patch.concurrent`.
    static let concurrentClients = 8

    static func run(_ kind: StoreKind, context: BenchContext, report: (ScenarioResult) -> Void) async throws {
        try await BenchHarness.with(kind, context: context) { h in
            var rng = SeededGenerator(seed: context.seed, scenario: "scale", worker: 0)
            let (account, owner) = try await HTTPScenarios.createAccount(h.store, rng: &rng)
            let clock = ContinuousClock()
            let buildStart = clock.now
            let long = rng.uuid(), short = rng.uuid(), hot = rng.uuid(), sequential = rng.uuid()
            _ = try await ProjectStream.write(h.store, count: context.scaleEvents, seed: context.seed, account: account, user: owner, project: long)
            let buildSeconds = (clock.now - buildStart).seconds
            for (i, id) in [short, hot, sequential].enumerated() {
                _ = try await ProjectStream.write(h.store, count: 10, seed: context.seed &+ UInt64(i + 1), account: account, user: owner, project: id)
            }
            try await h.raw.refreshStatistics()
            let secret = SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) }.base64EncodedString()
            let token = try await TokenService(secret: secret).issue(user: owner, account: account)
            let direct = DirectProjects(store: h.store, account: account, user: owner)
            try await ServerProcess.with(storeURL: h.url, secret: secret) { server in
                var httpConfiguration = HTTPClient.Configuration()
                httpConfiguration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = concurrentClients
                let http = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: httpConfiguration)
                do {
                    let api = APIClient(http: http, base: "http://127.0.0.1:\(server.port)", token: token)
                    let projects = Projects(long: long, short: short, hot: hot, sequential: sequential)
                    let setup = Setup(kind: kind, context: context, api: api, direct: direct, raw: h.raw, server: server, buildSeconds: buildSeconds)
                    try await measure(setup, projects, report: report)
                    try await http.shutdown()
                } catch {
                    try? await http.shutdown()
                    throw error
                }
            }
        }
    }

    private struct Projects: Sendable {
        var long, short, hot, sequential: UUID
    }

    private struct Setup: Sendable {
        var kind: StoreKind
        var context: BenchContext
        var api: APIClient
        var direct: DirectProjects
        var raw: any RawBaseline
        var server: ServerProcess
        var buildSeconds: Double

        func worker(_ operation: ProjectOperation, _ project: UUID, phase: String) -> @Sendable (Int) -> ProjectWorker {
            let api = api, direct = direct, seed = context.seed
            return { w in
                ProjectWorker(
                    operation: operation, api: api, direct: direct, projects: [project],
                    rng: SeededGenerator(seed: seed, scenario: "scale/\(phase)", worker: w))
            }
        }

        /// The server's memory, added to a result.
        func addServerMemory(_ result: inout ScenarioResult) {
            let memory = server.memoryMB()
            result.extra["server_rss_mb"] = memory.rss
            result.extra["server_peak_rss_mb"] = memory.peak
        }
    }

    private static func measure(_ s: Setup, _ p: Projects, report: (ScenarioResult) -> Void) async throws {
        let context = s.context
        // The first request to each project after the server started: a cache miss that replays
        // (or starts from a snapshot and writes one); reported, not part of the comparison.
        let clock = ContinuousClock()
        var first: [String: Double] = [:]
        for (name, id) in [("long", p.long), ("short", p.short)] {
            let t0 = clock.now
            try await s.api.send(.GET, "/v1/projects/\(id.lowercased)", expect: 200)
            first["first_get_\(name)_ms"] = (clock.now - t0).seconds * 1000
        }

        for operation in [ProjectOperation.get, .patch] {
            let (short, long) = try await Comparison.measure(
                rounds: context.rounds,
                raw: { try await ClosedLoop.run(workers: 1, duration: context.duration, make: s.worker(operation, p.short, phase: "\(operation)-short")) },
                apex: { try await ClosedLoop.run(workers: 1, duration: context.duration, make: s.worker(operation, p.long, phase: "\(operation)-long")) })
            let verb = operation == .get ? "GET" : "PATCH"
            var result = ScenarioResult(
                id: "scale.\(operation.rawValue)", title: "\(verb) \(BenchTable.count(context.scaleEvents))-event vs 10-event project",
                store: s.kind, concurrency: 1, workload: "1 client, sequential \(verb) of one project, real server over loopback",
                apex: long, raw: short, minRatio: 0.8)
            result.baseline = "the same request to a 10-event project"
            result.logEvents = context.scaleEvents
            result.extra = first
            result.extra["long_project_build_seconds"] = s.buildSeconds
            s.addServerMemory(&result)
            report(result)
        }

        let conflicts = ConflictCount()
        let (one, many) = try await Comparison.measure(
            rounds: context.rounds,
            raw: {
                try await ClosedLoop.run(workers: 1, duration: context.duration) { w in
                    ConcurrentPatcher(api: s.api, project: p.hot, conflicts: conflicts, rng: SeededGenerator(seed: context.seed, scenario: "hot-one", worker: w))
                }
            },
            apex: {
                try await ClosedLoop.run(workers: concurrentClients, duration: context.duration) { w in
                    ConcurrentPatcher(api: s.api, project: p.hot, conflicts: conflicts, rng: SeededGenerator(seed: context.seed, scenario: "hot-many", worker: w))
                }
            })
        var concurrent = ScenarioResult(
            id: "scale.patch.concurrent", title: "\(concurrentClients) clients PATCH one project", store: s.kind, concurrency: concurrentClients,
            workload: "\(concurrentClients) clients, closed loop, PATCH one project without If-Match", apex: many, raw: one, minRatio: nil)
        concurrent.baseline = "1 client PATCHing the same project"
        concurrent.extra["conflicts_409"] = Double(conflicts.count)
        concurrent.target = "0 conflicts (409)"
        concurrent.met = conflicts.count == 0
        s.addServerMemory(&concurrent)
        report(concurrent)

        let workload = try AuditWorkload(seed: context.seed, streams: context.streams, distribution: .uniform, batch: 1)
        let versions = RawVersions()
        var round = 0
        let (insert, patch) = try await Comparison.measure(
            rounds: context.rounds,
            raw: {
                round += 1
                let phase = "scale-insert/round\(round)"
                return try await ClosedLoop.run(workers: 1, duration: context.duration) { w in
                    workload.rawWorker(s.raw, versions: versions, phase: phase, worker: w)
                }
            },
            apex: { try await ClosedLoop.run(workers: 1, duration: context.duration, make: s.worker(.patch, p.sequential, phase: "sequential")) })
        var sequential = ScenarioResult(
            id: "scale.patch.insert", title: "HTTP PATCH vs raw durable insert", store: s.kind, concurrency: 1,
            workload: "1 client, sequential PATCH (one event each) through the server; 1 writer inserting one row per commit",
            apex: patch, raw: insert, minRatio: 0.5)
        sequential.baseline = "raw durable insert of one row"
        s.addServerMemory(&sequential)
        report(sequential)
    }
}

/// The 409s answered to ``ConcurrentPatcher``s.
private final class ConflictCount: Sendable {
    private let value = Mutex(0)
    var count: Int { value.withLock { $0 } }
    func add() { value.withLock { $0 += 1 } }
}

/// PATCHes one project without `If-Match`, counting a 409 instead of failing on it.
private struct ConcurrentPatcher: LoadWorker {
    let api: APIClient
    let project: UUID
    let conflicts: ConflictCount
    var rng: SeededGenerator

    mutating func step() async throws -> Int {
        let status = try await api.send(
            .PATCH, "/v1/projects/\(project.lowercased)", json: #"{"description":"\#(rng.text(100))"}"#, accept: [200, 409])
        if status == 409 {
            conflicts.add()
            return 0
        }
        return 1
    }
}
