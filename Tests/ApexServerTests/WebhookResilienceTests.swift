import ApexDomain
import ApexServer
import ApexStore
import ApexTestSupport
import ApexWebhooks
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Synchronization
import Testing

/// Webhook deliveries when the receiver misbehaves or DNS changes: the circuit breaker,
/// `Retry-After`, redirects and the address pinned at the check. The real router on a real
/// socket, the consumer and the delivery worker as the server runs them, the Python receiver
/// on loopback (``WebhookReceiver``), on SQLite and PostgreSQL.
@Suite("Webhook resilience", .serialized)
struct WebhookResilienceTests {
    typealias D = WebhookDeliveryTests

    /// A receiver and a world of `kind` configured ``WebhookDeliveryTests/fast(_:)`` then `configure`, served live.
    static func live(
        _ kind: StoreKind, configure: @escaping @Sendable (inout ServerConfiguration) -> Void,
        _ body: @Sendable @escaping (WebhookReceiver, World, any TestClientProtocol) async throws -> Void
    ) async throws {
        try await WebhookReceiver.with { receiver in
            try await World.with(kind, configure: { c in
                D.fast(&c)
                configure(&c)
            }) { world in
                try await D.serving(world) { client in try await body(receiver, world, client) }
            }
        }
    }

    /// Many quick retries, so only the breaker (or `Retry-After`) can make a wait long.
    static let quickRetries = RetrySchedule(delays: Array(repeating: .milliseconds(100), count: 20), jitter: 0)

    /// The gaps between consecutive requests, in seconds.
    static func gaps(_ requests: [WebhookReceiver.Request]) -> [Double] {
        zip(requests.dropFirst(), requests).map { $0.at - $1.at }
    }

    @Test(arguments: StoreKind.allCases)
    func theBreakerPausesAFailingEndpointProbesItAndClosesOnSuccess(_ kind: StoreKind) async throws {
        try await Self.live(kind, configure: { c in
            c.webhooks.retrySchedule = Self.quickRetries
            c.webhooks.breaker.threshold = 3
            c.webhooks.breaker.firstProbe = .seconds(1)
            c.webhooks.breaker.longestProbe = .seconds(4)
        }) { receiver, world, client in
            try receiver.setAnswers([.init(500), .init(500), .init(500), .init(500), .init(200)], for: "/down")
            let (down, _) = try await D.create(client, world, receiver, "/down")
            _ = try await D.create(client, world, receiver, "/ok")
            _ = try await D.newProject(client, world, "Breaker pylon")
            // Three failures 100 ms apart open the breaker.
            let opened = try await receiver.waitFor(3, at: "/down")
            #expect(opened.count == 3)
            // While it is open, the other endpoint is served at once.
            _ = try await D.newProject(client, world, "Unaffected pylon")
            let others = try await receiver.waitFor(2, at: "/ok", timeout: .seconds(5))
            #expect(others.count == 2)
            #expect(receiver.requests("/down").count == 3, "nothing reached the paused endpoint")
            #expect(others[1].at - opened[2].at < 0.9, "the healthy endpoint did not wait for the paused one")
            // A probe after 1 s fails (the pause doubles), the next after 2 s succeeds.
            let all = try await receiver.waitFor(6, at: "/down", timeout: .seconds(15))
            #expect(all.map(\.status) == [500, 500, 500, 500, 200, 200], "\(all.map(\.status))")
            let gaps = Self.gaps(all)
            #expect(gaps[0] < 0.8 && gaps[1] < 0.8, "\(gaps)")
            #expect(gaps[2] >= 0.95, "the first probe waited the first pause: \(gaps)")
            #expect(gaps[3] >= 1.95, "the second probe waited twice as long: \(gaps)")
            // The probe closed the breaker: the second message followed the probe at once.
            #expect(gaps[4] < 0.8, "\(gaps)")
            #expect(Set(all.prefix(5).map(\.id)).count == 1 && all[5].id != all[0].id)
            let log = try await D.deliveries(client, world, down) { $0.count == 2 && $0.allSatisfy { $0["status"]?.stringValue == "succeeded" } }
            #expect(log.map { $0["status"]?.stringValue } == ["succeeded", "succeeded"])
            let endpoint = try await client.call(.get, "/v1/webhooks/\(down)", as: world.token("owner"))
            #expect(endpoint["enabled"]?.bool == true)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func retryAfterIsHonouredAsSecondsAndAsAnHTTPDate(_ kind: StoreKind) async throws {
        try await Self.live(kind, configure: { c in c.webhooks.retrySchedule = Self.quickRetries }) { receiver, world, client in
            try receiver.setAnswers([.init(429, headers: ["Retry-After": "2"]), .init(200)], for: "/limited")
            try receiver.setAnswers([.init(503, headers: ["Retry-After": "DATE+3"]), .init(200)], for: "/unavailable")
            let (limited, _) = try await D.create(client, world, receiver, "/limited")
            _ = try await D.create(client, world, receiver, "/unavailable")
            _ = try await D.newProject(client, world, "Patient pylon")
            let a = try await receiver.waitFor(2, at: "/limited", timeout: .seconds(10))
            let b = try await receiver.waitFor(2, at: "/unavailable", timeout: .seconds(10))
            #expect(a.map(\.status) == [429, 200] && b.map(\.status) == [503, 200])
            // Seconds: 2 s, not the schedule's 100 ms.
            #expect(a[1].at - a[0].at >= 1.95, "\(a[1].at - a[0].at)")
            // A date 3 s after the answer (whole seconds, so at least 2 s later).
            #expect(b[1].at - b[0].at >= 1.95, "\(b[1].at - b[0].at)")
            #expect(Set(a.map(\.id)).count == 1 && Set(b.map(\.id)).count == 1)
            let log = try await D.deliveries(client, world, limited) { $0.first?["status"]?.stringValue == "succeeded" }
            #expect(log.first?["attempts"]?.array?.map { $0["status_code"]?.numberValue } == [429, 200])
        }
    }

    @Test(arguments: StoreKind.allCases)
    func aRedirectIsNeverFollowed(_ kind: StoreKind) async throws {
        try await WebhookReceiver.with { receiver in
            try await World.with(kind, configure: D.fast) { world in
                try receiver.setAnswers([.init(302, headers: ["Location": receiver.url("/elsewhere")])], for: "/moved")
                try await D.serving(world) { client in
                    let (id, _) = try await D.create(client, world, receiver, "/moved")
                    _ = try await D.newProject(client, world, "Moved pylon")
                    // The fast schedule has three retries: four attempts, then failed for good.
                    let log = try await D.deliveries(client, world, id) { $0.first?["status"]?.stringValue == "failed" }
                    let attempts = log.first?["attempts"]?.array ?? []
                    #expect(log.first?["status"]?.stringValue == "failed")
                    #expect(attempts.count == 4)
                    #expect(attempts.allSatisfy { $0["status_code"]?.numberValue == 302 && $0["error"]?.stringValue == "redirect (302) not followed" })
                    #expect(receiver.requests("/moved").count == 4)
                    #expect(receiver.requests("/elsewhere").isEmpty, "the redirect target was never contacted")
                }
            }
        }
    }

    /// A name whose DNS answer the test changes.
    final class FakeDNS: Sendable {
        let answer: Mutex<String>
        init(_ answer: String) { self.answer = Mutex(answer) }
        func set(_ address: String) { answer.withLock { $0 = address } }
        /// A resolver knowing only `hooks.apex.test`.
        var resolver: URLGuard.Resolver {
            { host in host == "hooks.apex.test" ? [self.answer.withLock { $0 }] : [] }
        }
    }

    @Test(arguments: StoreKind.allCases)
    func aNameTurnedPrivateAfterCreationIsRefusedAtDelivery(_ kind: StoreKind) async throws {
        let dns = FakeDNS("93.184.215.14")
        try await Self.live(kind, configure: { c in
            c.webhooks.urlGuard = URLGuard(allowHTTP: true, allowPrivate: false, resolver: dns.resolver)
        }) { receiver, world, client in
            let url = "http://hooks.apex.test:\(receiver.port)/ok"
            let created = try await client.call(.post, "/v1/webhooks", as: world.token("owner"), json: ["url": .string(url), "event_types": ["project.*"]])
            #expect(created.code == 201, "public at creation: \(created.text)")
            let id = try #require(created["id"]?.stringValue)
            // Rebound to loopback (where the receiver listens) before the delivery.
            dns.set("127.0.0.1")
            _ = try await D.newProject(client, world, "Rebound pylon")
            let log = try await D.deliveries(client, world, id) { $0.first?["status"]?.stringValue == "failed" }
            let attempts = log.first?["attempts"]?.array ?? []
            #expect(attempts.count == 4)
            #expect(attempts.allSatisfy { $0["status_code"] == nil || $0["status_code"] == .null })
            #expect(attempts.first?["error"]?.stringValue?.contains("loopback, private") == true, "\(attempts)")
            #expect(receiver.requests("/ok").isEmpty, "nothing was sent to the private address")
            // The same name pointing at loopback is refused at creation too.
            let refused = try await client.call(.post, "/v1/webhooks", as: world.token("owner"), json: ["url": .string(url), "event_types": ["project.*"]])
            #expect(refused.code == 422 && refused["code"]?.stringValue == "url_refused", "\(refused.text)")
        }
    }

    @Test(arguments: StoreKind.allCases)
    func theConnectionGoesToTheCheckedAddress(_ kind: StoreKind) async throws {
        // `hooks.apex.test` exists only in the guard's resolver: the delivery arrives only if
        // the client connects to the address the guard checked rather than resolving again.
        let dns = FakeDNS("127.0.0.1")
        try await Self.live(kind, configure: { c in
            c.webhooks.urlGuard = URLGuard(allowHTTP: true, allowPrivate: true, resolver: dns.resolver)
        }) { receiver, world, client in
            let created = try await client.call(
                .post, "/v1/webhooks", as: world.token("owner"), json: ["url": .string("http://hooks.apex.test:\(receiver.port)/ok"), "event_types": ["project.*"]])
            #expect(created.code == 201, "\(created.text)")
            try receiver.setSecrets([try #require(created["secret"]?.stringValue)], for: "/ok")
            _ = try await D.newProject(client, world, "Pinned pylon")
            let got = try await receiver.waitFor(1, at: "/ok")
            #expect(got.count == 1 && got.first?.verified == [true])
        }
    }
}
