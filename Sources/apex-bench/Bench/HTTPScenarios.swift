import ApexCommandLine
import ApexDomain
import ApexServer
import ApexStore
import AsyncHTTPClient
import Crypto
import Foundation
import Logging
import ServiceLifecycle

/// The API through the real server on loopback (``ApexServer/run(configuration:logger:onReady:services:)``
/// on 127.0.0.1:0, in this process) against the same store operations called directly.
enum HTTPScenarios {
    static func run(_ kind: StoreKind, context: BenchContext, report: (ScenarioResult) -> Void) async throws {
        try await BenchHarness.with(kind, context: context) { h in
            var rng = SeededGenerator(seed: context.seed, scenario: "http", worker: 0)
            let (account, owner) = try await createAccount(h.store, rng: &rng)
            var configuration = ServerConfiguration()
            configuration.storeURL = h.url
            configuration.host = "127.0.0.1"
            configuration.port = 0
            // The scenarios measure the server, not its rate limits (a 429 costs less than a request).
            configuration.rateLimits = .off
            configuration.jwtSecret = SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) }.base64EncodedString()
            let token = try await TokenService(secret: configuration.jwtSecret).issue(user: owner, account: account)
            let direct = DirectProjects(store: h.store, account: account, user: owner)
            try await withServer(configuration, logger: context.logger) { port in
                var httpConfiguration = HTTPClient.Configuration()
                httpConfiguration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = context.clients
                let http = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: httpConfiguration)
                do {
                    let api = APIClient(http: http, base: "http://127.0.0.1:\(port)", token: token)
                    try await measure(kind, context: context, api: api, direct: direct, raw: h.raw, report: report)
                    try await http.shutdown()
                } catch {
                    try? await http.shutdown()
                    throw error
                }
            }
        }
    }

    private static func measure(
        _ kind: StoreKind, context: BenchContext, api: APIClient, direct: DirectProjects, raw: any RawBaseline,
        report: (ScenarioResult) -> Void
    ) async throws {
        // Each side edits and reads its own projects, 8 per client, created up front.
        var rng = SeededGenerator(seed: context.seed, scenario: "http-projects", worker: 0)
        var directProjects: [UUID] = [], httpProjects: [UUID] = []
        for i in 0..<(8 * context.clients) {
            let a = rng.uuid(), b = rng.uuid()
            try await direct.create(a, name: "Direct sign \(i)", description: rng.text(100))
            try await direct.create(b, name: "HTTP sign \(i)", description: rng.text(100))
            directProjects.append(a)
            httpProjects.append(b)
        }
        try await raw.refreshStatistics()
        func worker(_ op: ProjectOperation, http: Bool, phase: String) -> @Sendable (Int) -> ProjectWorker {
            let clients = context.clients, seed = context.seed
            let mine = http ? httpProjects : directProjects
            return { w in
                ProjectWorker(
                    operation: op, api: http ? api : nil, direct: direct,
                    projects: stride(from: w, to: mine.count, by: clients).map { mine[$0] },
                    rng: SeededGenerator(seed: seed, scenario: "\(phase)/\(http)", worker: w))
            }
        }
        for op in [ProjectOperation.create, .patch, .get] {
            var round = 0
            let (raw, apex) = try await Comparison.measure(
                rounds: context.rounds,
                raw: {
                    round += 1
                    return try await ClosedLoop.run(workers: context.clients, duration: context.duration, make: worker(op, http: false, phase: "\(op)\(round)"))
                },
                apex: {
                    try await ClosedLoop.run(workers: context.clients, duration: context.duration, make: worker(op, http: true, phase: "\(op)\(round)"))
                })
            let isWrite = op != .get
            var result = ScenarioResult(
                id: "http.\(op.rawValue)", title: "HTTP \(op == .get ? "GET" : op == .create ? "POST" : "PATCH") project", store: kind,
                concurrency: context.clients, workload: "loopback, \(context.clients) clients, closed loop", apex: apex, raw: raw,
                minRatio: isWrite ? 0.6 : nil)
            result.baseline = "direct store call"
            if op == .get {
                let rate = apex.eventsPerSecond / 2
                let latency = try await OpenLoop.run(
                    rate: rate, duration: context.duration * context.rounds, workers: context.clients,
                    make: worker(.get, http: true, phase: "get-half"))
                result.halfSaturationLatencyMs = latency.summary
                result.extra["half_saturation_rate_per_s"] = rate
                result.target = "p99<10ms at half saturation"
                result.met = (latency.summary?.p99 ?? .infinity) < 10
            }
            report(result)
        }
    }

    /// Creates an account on `store` and returns it with its owner.
    static func createAccount(_ store: any EventStore, rng: inout SeededGenerator) async throws -> (account: UUID, owner: UUID) {
        let account = rng.uuid(), owner = rng.uuid()
        let drafts = try AccountDecider.decide(
            .create(accountID: account, name: "Bench Signs", ownerID: owner, ownerName: "Olive Owner", ownerEmail: "owner@bench.test"),
            state: AccountState(), context: DecisionContext(now: Date()))
        _ = try await store.append(
            drafts.map { $0.proposed(id: UUID(), accountID: account, actor: .service("apex-bench")) }, to: .account(account), expected: .noStream)
        return (account, owner)
    }

    /// Runs the server on the store at `configuration.storeURL` for the duration of `body`, then
    /// shuts it down gracefully (as SIGTERM would).
    static func withServer(_ configuration: ServerConfiguration, logger: Logger, _ body: (Int) async throws -> Void) async throws {
        let (ports, ready) = AsyncStream.makeStream(of: Int.self)
        let server = ServerService(configuration: configuration, logger: logger, ready: ready)
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: [.init(service: server, successTerminationBehavior: .gracefullyShutdownGroup)], logger: logger))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            do {
                var iterator = ports.makeAsyncIterator()
                guard let port = await iterator.next() else { throw CLIError("the server did not start") }
                try await body(port)
            } catch {
                await group.triggerGracefulShutdown()
                throw error
            }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
    }
}

/// The real server as a service, so the benchmark can stop it gracefully.
private struct ServerService: Service {
    let configuration: ServerConfiguration
    let logger: Logger
    let ready: AsyncStream<Int>.Continuation

    func run() async throws {
        defer { ready.finish() }
        try await ApexServer.run(configuration: configuration, logger: logger, onReady: { port in ready.yield(port) })
    }
}

/// A constant request rate (open loop): each request's latency counts from when it was due,
/// so a request stuck behind a slow one is not hidden (no coordinated omission).
enum OpenLoop {
    static func run<W: LoadWorker>(
        rate: Double, duration: Duration, workers: Int, make: @escaping @Sendable (Int) -> W
    ) async throws -> LatencyRecorder {
        guard rate > 0 else { return LatencyRecorder() }
        let clock = ContinuousClock()
        let start = clock.now + .milliseconds(10)
        let end = start + duration
        let interval = Duration.seconds(Double(workers) / rate)
        return try await withThrowingTaskGroup(of: LatencyRecorder.self) { group in
            for w in 0..<workers {
                group.addTask {
                    var worker = make(w)
                    var recorder = LatencyRecorder()
                    var due = start + .seconds(Double(w) / rate)
                    while due < end {
                        try await Task.sleep(until: due, clock: clock)
                        _ = try await worker.step()
                        recorder.record(clock.now - due)
                        due += interval
                    }
                    return recorder
                }
            }
            var total = LatencyRecorder()
            for try await part in group { total.merge(part) }
            return total
        }
    }
}
