import ApexDomain
import ApexServer
import ApexStore
import ApexTestSupport
import ApexWebhooks
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// Webhooks end to end: the real router on a real socket, the `webhooks` consumer and the
/// delivery worker running beside it as the server runs them, and a Python receiver on
/// loopback that verifies every signature with the `standardwebhooks` package.
@Suite("Webhook deliveries", .serialized)
struct WebhookDeliveryTests {
    /// Loopback and http allowed (the receiver is local), fast retries, a 1 s timeout.
    static func fast(_ c: inout ServerConfiguration) {
        c.webhooks.urlGuard = URLGuard(allowHTTP: true, allowPrivate: true)
        c.webhooks.retrySchedule = RetrySchedule(delays: [.milliseconds(200), .milliseconds(200), .milliseconds(200)], jitter: 0)
        c.webhooks.timeout = .seconds(1)
        c.webhooks.pollInterval = .milliseconds(50)
    }

    /// Serves `world` on a live socket with the server's consumers and workers.
    static func serving(_ world: World, _ body: @Sendable @escaping (any TestClientProtocol) async throws -> Void) async throws {
        var options = ConsumerRunner.Options()
        options.idleWait = .milliseconds(200)
        let consumers = ConsumerService(
            consumers: ServerConsumers.consumers(store: world.store, configuration: world.configuration, logger: World.logger),
            store: world.store, options: options, logger: World.logger)
        let services = [consumers] + ServerConsumers.workers(store: world.store, configuration: world.configuration, logger: World.logger)
        try await world.api.application(address: .hostname("127.0.0.1", port: 0), services: services, logger: World.logger).test(.live, body)
    }

    /// A receiver, a world of `kind` configured ``fast(_:)``, served live with its consumers and workers.
    static func live(_ kind: StoreKind, _ body: @Sendable @escaping (WebhookReceiver, World, any TestClientProtocol) async throws -> Void) async throws {
        try await WebhookReceiver.with { receiver in
            try await World.with(kind, configure: Self.fast) { world in
                try await Self.serving(world) { client in try await body(receiver, world, client) }
            }
        }
    }

    /// Creates an endpoint for `url` and tells the receiver its secret; returns (id, secret).
    static func create(_ client: any TestClientProtocol, _ world: World, _ receiver: WebhookReceiver, _ path: String, types: [String] = ["project.*"]) async throws -> (id: String, secret: String) {
        let created = try await client.call(
            .post, "/v1/webhooks", as: world.token("owner"), json: ["url": .string(receiver.url(path)), "event_types": .array(types.map(JSONValue.string))])
        #expect(created.code == 201, "\(created.text)")
        let id = try #require(created["id"]?.stringValue), secret = try #require(created["secret"]?.stringValue)
        #expect(secret.hasPrefix("whsec_"))
        try receiver.setSecrets([secret], for: path)
        return (id, secret)
    }

    static func newProject(_ client: any TestClientProtocol, _ world: World, _ name: String) async throws -> Reply {
        var headers = HTTPFields()
        headers[HTTPField.Name("X-Forwarded-For")!] = "203.0.113.77"
        headers[.userAgent] = "SecretAgent/7"
        let reply = try await client.call(.post, "/v1/projects", as: world.token("owner"), json: ["name": .string(name)], headers: headers)
        #expect(reply.code == 201)
        return reply
    }

    /// Polls the delivery log until `check` holds for it (or 20 s pass).
    static func deliveries(_ client: any TestClientProtocol, _ world: World, _ id: String, until check: ([JSONValue]) -> Bool) async throws -> [JSONValue] {
        let deadline = ContinuousClock.now + .seconds(20)
        var items: [JSONValue] = []
        repeat {
            items = try await client.call(.get, "/v1/webhooks/\(id)/deliveries", as: world.token("owner")).items
            if check(items) { break }
            try await Task.sleep(for: .milliseconds(100))
        } while ContinuousClock.now < deadline
        return items
    }

    @Test(arguments: StoreKind.allCases)
    func aReceiverFailingTwiceGetsThreeAttemptsWithOneWebhookID(_ kind: StoreKind) async throws {
        try await Self.live(kind) { receiver, world, client in
            let (id, _) = try await Self.create(client, world, receiver, "/flaky")
            _ = try await Self.newProject(client, world, "Hooked pylon")
            let got = try await receiver.waitFor(3, at: "/flaky")
            #expect(got.map(\.status) == [500, 500, 200])
            #expect(Set(got.map(\.id)).count == 1)
            #expect(got.allSatisfy { $0.verified == [true] }, "standardwebhooks verified every attempt")
            let body = try #require(got.last?.json)
            #expect(body["type"]?.stringValue == "project.created")
            #expect(body["data"]?["after"]?["name"]?.stringValue == "Hooked pylon")
            #expect(body["data"]?["diff"]?["added"] != nil || body["data"]?["diff"]?["changed"] != nil)
            // A third party: no IP address, user agent or forwarding header.
            #expect(!got[0].body.contains("203.0.113.77") && !got[0].body.contains("SecretAgent"))
            #expect(body["data"]?["request_metadata"]?["ip_address"] == nil)
            let log = try await Self.deliveries(client, world, id) { $0.first?["status"]?.stringValue == "succeeded" }
            #expect(log.count == 1)
            #expect(log.first?["id"]?.stringValue == got[0].id)
            #expect(log.first?["attempts"]?.array?.map { $0["status_code"]?.numberValue } == [500, 500, 200])
            // Only 3 requests: nothing more after success.
            try await Task.sleep(for: .milliseconds(500))
            #expect(receiver.requests("/flaky").count == 3)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func goneDisablesTheEndpoint(_ kind: StoreKind) async throws {
        try await Self.live(kind) { receiver, world, client in
            let (id, _) = try await Self.create(client, world, receiver, "/gone")
            _ = try await Self.newProject(client, world, "Gone pylon")
            _ = try await receiver.waitFor(1, at: "/gone")
            var endpoint = Reply(status: .ok, headers: [:], text: "", json: .null)
            let deadline = ContinuousClock.now + .seconds(10)
            repeat {
                endpoint = try await client.call(.get, "/v1/webhooks/\(id)", as: world.token("owner"))
                if endpoint["enabled"]?.bool == false { break }
                try await Task.sleep(for: .milliseconds(100))
            } while ContinuousClock.now < deadline
            #expect(endpoint["enabled"]?.bool == false)
            #expect(endpoint["disabled_cause"]?.stringValue == "gone")
            let stream = try await world.store.readStream(.account(world.account), from: 1, limit: 10_000, mode: .stored)
            #expect(stream.filter { $0.type == "webhook.disabled" }.count == 1)
            _ = try await Self.newProject(client, world, "Unheard pylon")
            try await Task.sleep(for: .milliseconds(800))
            #expect(receiver.requests("/gone").count == 1)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func aSlowReceiverTimesOutAndIsRetried(_ kind: StoreKind) async throws {
        try await Self.live(kind) { receiver, world, client in
            let (id, _) = try await Self.create(client, world, receiver, "/slow")
            _ = try await Self.newProject(client, world, "Slow pylon")
            let got = try await receiver.waitFor(2, at: "/slow")
            #expect(got.count == 2 && Set(got.map(\.id)).count == 1)
            let log = try await Self.deliveries(client, world, id) { $0.first?["status"]?.stringValue == "succeeded" }
            let attempts = log.first?["attempts"]?.array ?? []
            #expect(attempts.count == 2)
            #expect(attempts.first?["error"]?.stringValue == "timed out")
            #expect(attempts.last?["status_code"]?.numberValue == 200)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func rotationSendsBothSignatures(_ kind: StoreKind) async throws {
        try await Self.live(kind) { receiver, world, client in
            let (id, old) = try await Self.create(client, world, receiver, "/ok")
            let rotated = try await client.call(.post, "/v1/webhooks/\(id)/rotate-secret", as: world.token("owner"))
            #expect(rotated.code == 200)
            let new = try #require(rotated["secret"]?.stringValue)
            #expect(new != old)
            try receiver.setSecrets([old, new, "whsec_" + Data(repeating: 7, count: 32).base64EncodedString()], for: "/ok")
            _ = try await Self.newProject(client, world, "Rotated pylon")
            let got = try await receiver.waitFor(1, at: "/ok")
            #expect(got.first?.verified == [true, true, false])
            #expect(got.first?.signature?.split(separator: " ").count == 2)
            // The secret is never shown again.
            let read = try await client.call(.get, "/v1/webhooks/\(id)", as: world.token("owner"))
            #expect(!read.text.contains(new) && !read.text.contains(old) && read["secret"] == nil)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func replayResendsARangeWithTheSameIDs(_ kind: StoreKind) async throws {
        try await Self.live(kind) { receiver, world, client in
            let (id, _) = try await Self.create(client, world, receiver, "/ok")
            let first = try await Self.newProject(client, world, "First pylon")
            _ = try await Self.newProject(client, world, "Second pylon")
            _ = try await Self.newProject(client, world, "Third pylon")
            let got = try await receiver.waitFor(3, at: "/ok")
            #expect(got.count == 3)
            let firstID = try #require(first["id"]?.stringValue)
            let positions = try await world.store.readStream(.project(UUID(uuidString: firstID)!), from: 1, limit: 1, mode: .stored)
            let from = try #require(positions.first?.position)
            let head = try await world.store.headPosition()
            // Replay from the first project's creation up to the second's: two messages again.
            let secondPosition = got.compactMap { $0.json["data"]?["position"]?.numberValue }.sorted()[1]
            let replay = try await client.call(
                .post, "/v1/webhooks/\(id)/replay", as: world.token("owner"),
                json: ["from_position": .number(Double(from)), "to_position": .number(secondPosition)])
            #expect(replay.code == 202, "\(replay.text)")
            #expect(replay["queued"]?.numberValue == 2)
            let again = try await receiver.waitFor(5, at: "/ok")
            #expect(again.count == 5)
            #expect(Array(again.suffix(2)).map(\.id).sorted() == Array(got.prefix(2)).map(\.id).sorted())
            #expect(again.allSatisfy { $0.verified == [true] })
            #expect(head >= from)
            let bad = try await client.call(.post, "/v1/webhooks/\(id)/replay", as: world.token("owner"), json: ["from_position": 0])
            #expect(bad.code == 422 && bad["code"]?.stringValue == "invalid_range")
            // A test message and a redelivery.
            let test = try await client.call(.post, "/v1/webhooks/\(id)/test", as: world.token("owner"))
            #expect(test.code == 202)
            let tested = try await receiver.waitFor(6, at: "/ok")
            #expect(tested.last?.json["type"]?.stringValue == "webhook.test")
            let redeliver = try await client.call(.post, "/v1/webhooks/\(id)/deliveries/\(got[0].id)/redeliver", as: world.token("owner"))
            #expect(redeliver.code == 202)
            let redelivered = try await receiver.waitFor(7, at: "/ok")
            #expect(redelivered.last?.id == got[0].id)
            let missing = try await client.call(.post, "/v1/webhooks/\(id)/deliveries/nope/redeliver", as: world.token("owner"))
            #expect(missing.code == 404)
        }
    }
}
