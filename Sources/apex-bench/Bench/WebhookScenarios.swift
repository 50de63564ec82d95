import ApexCommandLine
import ApexDomain
import ApexServer
import ApexStore
import ApexWebhooks
import AsyncHTTPClient
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import NIOHTTP1
import ServiceLifecycle
import Synchronization

/// `webhooks.deliver`: how fast the `webhooks` consumer and the delivery worker (as `serve`
/// runs them, default settings but for the SSRF guard, which lets loopback through) get a
/// backlog of `project.created` events to one endpoint, a Hummingbird receiver in this
/// process, against plain sequential POSTs of the same bodies and headers from this process to
/// the same receiver. Then events committed one every 20 ms give the lag from commit to the
/// first attempt's arrival (`extra.lagP50Ms`, `extra.lagP99Ms`).
enum WebhookScenarios {
    static func run(_ kind: StoreKind, context: BenchContext) async throws -> ScenarioResult {
        try await BenchHarness.with(kind, context: context) { h in
            let backlog = context.quick ? 200 : 2_000
            let paced = context.quick ? 50 : 300
            let account = UUID(), owner = UUID(), endpoint = UUID()
            let receiver = Receiver()
            let logger = context.logger

            // The endpoint, as the API creates it: a sealed secret, then `webhook.created`.
            let box = WebhookSecretBox(deriving: "apex-bench webhook secret material, 32 bytes or more")
            let hooks = WebhookStore(store: h.store, secrets: box, logger: logger)
            try await hooks.prepare()
            try await hooks.putSecret(WebhookSecret.generate(), endpoint: endpoint, account: account)

            let app = Application(
                router: receiver.router(), configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                onServerRunning: { channel in receiver.port.withLock { $0 = channel.localAddress?.port ?? 0 } }, logger: logger)
            var configuration = WebhookConfiguration()
            configuration.urlGuard = URLGuard(allowHTTP: true, allowPrivate: true)
            let worker = DeliveryWorker(store: h.store, webhooks: hooks, configuration: configuration, logger: logger)
            let consumers = ConsumerService(consumers: [WebhookConsumer(store: h.store, webhooks: hooks)], store: h.store, logger: logger)

            let clock = ContinuousClock()
            let receiving = ServiceGroup(configuration: .init(services: [.init(service: app)], logger: logger))
            return try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await receiving.run() }
                defer { group.cancelAll() }
                while receiver.port.withLock({ $0 }) == 0 { try await Task.sleep(for: .milliseconds(10)) }
                let port = receiver.port.withLock { $0 }
                let created = try WebhookCreated(webhookID: endpoint, url: "http://127.0.0.1:\(port)/hook", eventTypes: ["project.*"], description: nil).draft()
                _ = try await h.store.append([created.proposed(id: UUID(), accountID: account, actor: .user(owner))], to: .account(account), expected: .noStream)
                // The backlog, committed after the endpoint and before the consumer and the worker start.
                for _ in 0..<backlog { _ = try await appendProject(h.store, account: account, owner: owner) }

                let delivering = ServiceGroup(configuration: .init(services: [.init(service: consumers), .init(service: worker)], logger: logger))
                let start = clock.now
                group.addTask { try await delivering.run() }
                try await receiver.wait(for: backlog, within: .seconds(180))
                let deliveryTime = clock.now - start

                // Paced: one commit every 20 ms, each timed from the append's return.
                var commits: [String: ContinuousClock.Instant] = [:]
                for _ in 0..<paced {
                    let id = try await appendProject(h.store, account: account, owner: owner)
                    commits[id.lowercased] = clock.now
                    try await Task.sleep(for: .milliseconds(20))
                }
                try await receiver.wait(for: backlog + paced, within: .seconds(180))
                var lag = LatencyRecorder()
                let arrivals = receiver.arrivals()
                for (event, committed) in commits {
                    guard let arrived = arrivals[event] else { throw CLIError("webhook for \(event) never arrived") }
                    lag.record(arrived - committed)
                }
                await delivering.triggerGracefulShutdown()

                // Plain POSTs of the same bodies and headers, one after another, one client.
                let requests = receiver.requests().prefix(backlog)
                let client = HTTPClient(eventLoopGroupProvider: .singleton)
                var plain = Tally()
                let plainStart = clock.now
                do {
                    for request in requests {
                        let t0 = clock.now
                        var post = HTTPClientRequest(url: "http://127.0.0.1:\(port)/plain")
                        post.method = .POST
                        for (name, value) in request.headers { post.headers.add(name: name, value: value) }
                        post.body = .bytes(ByteBuffer(bytes: request.body))
                        let response = try await client.execute(post, timeout: .seconds(15))
                        _ = try await response.body.collect(upTo: 1 << 20)
                        plain.latency.record(clock.now - t0)
                        plain.operations += 1
                        plain.events += 1
                    }
                } catch {
                    try? await client.shutdown()
                    throw error
                }
                plain.elapsed = clock.now - plainStart
                try await client.shutdown()
                await receiving.triggerGracefulShutdown()

                var apex = Tally()
                apex.operations = backlog
                apex.events = backlog
                apex.elapsed = deliveryTime
                apex.latency = lag
                let memory = MemoryUse(startMB: 0, peakMB: MemoryProbe.peakMB())
                var result = ScenarioResult(
                    id: "webhooks.deliver", title: "webhooks: \(backlog) deliveries to 1 endpoint", store: kind, concurrency: 1,
                    workload: "consumer + DeliveryWorker (sign, claim, record each attempt) vs sequential POSTs of the same bodies; latency = commit to arrival",
                    apex: SideReport(apex, memory: memory), raw: SideReport(plain, memory: memory), minRatio: nil)
                result.baseline = "plain POSTs"
                let summary = lag.summary
                result.extra["lagP50Ms"] = summary?.p50
                result.extra["lagP99Ms"] = summary?.p99
                result.extra["pacedEvents"] = Double(paced)
                return result
            }
        }
    }

    /// Appends one `project.created` (a new project) and returns its event id.
    static func appendProject(_ store: any EventStore, account: UUID, owner: UUID) async throws -> UUID {
        let project = UUID(), event = UUID()
        let fields = ProjectFields(name: "Hooked pylon \(project.uuidString.prefix(6))", description: "a monument sign, lit", tags: ["pylon"], site: Site(city: "Austin", state: "TX"))
        let drafts = try ProjectDecider.decide(.create(projectID: project, fields: fields), state: ProjectState(), context: DecisionContext(now: Date()))
        let proposed = drafts.enumerated().map { i, d in d.proposed(id: i == 0 ? event : UUID(), accountID: account, actor: .user(owner)) }
        _ = try await store.append(proposed, to: .project(project), expected: .noStream)
        return event
    }

    /// The receiver: `POST /hook` notes when each message first arrived (by the event id in
    /// its `webhook-id`) and keeps its body and headers; `POST /plain` just answers. Both 200.
    final class Receiver: Sendable {
        struct Request: Sendable {
            var headers: [(String, String)]
            var body: [UInt8]
        }

        struct State {
            var arrivals: [String: ContinuousClock.Instant] = [:]
            var requests: [Request] = []
        }

        let state = Mutex(State())
        let port = Mutex(0)

        func router() -> Router<BasicRequestContext> {
            let router = Router()
            router.post("/hook") { request, _ -> HTTPResponse.Status in
                let body = try await request.body.collect(upTo: 1 << 20)
                let now = ContinuousClock.now
                let id = request.headers[HTTPField.Name("webhook-id")!] ?? ""
                let event = String(id.split(separator: "_").first ?? "")
                let kept = ["content-type", "webhook-id", "webhook-timestamp", "webhook-signature", "user-agent"].compactMap { name in
                    request.headers[HTTPField.Name(name)!].map { (name, $0) }
                }
                self.state.withLock { s in
                    if s.arrivals[event] == nil {
                        s.arrivals[event] = now
                        s.requests.append(Request(headers: kept, body: Array(body.readableBytesView)))
                    }
                }
                return .ok
            }
            router.post("/plain") { request, _ -> HTTPResponse.Status in
                _ = try await request.body.collect(upTo: 1 << 20)
                return .ok
            }
            return router
        }

        func arrivals() -> [String: ContinuousClock.Instant] { state.withLock { $0.arrivals } }
        func requests() -> [Request] { state.withLock { $0.requests } }

        /// Waits until `count` distinct messages arrived.
        func wait(for count: Int, within limit: Duration) async throws {
            let deadline = ContinuousClock.now + limit
            while state.withLock({ $0.arrivals.count }) < count {
                guard ContinuousClock.now < deadline else {
                    throw CLIError("only \(state.withLock { $0.arrivals.count }) of \(count) webhooks arrived within \(limit)")
                }
                try await Task.sleep(for: .milliseconds(5))
            }
        }
    }
}
