import ApexDomain
import ApexMail
import ApexServer
import ApexStore
import ApexTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

/// Digests end to end: activity made through the real router, recorded by the `email`
/// consumer, summarised per user by ``MailDigests`` (the same as `serve` runs every minute and
/// `apex-cli notify digest` runs by hand) and delivered to an `aiosmtpd` server on loopback.
@Suite("Mail digests", .serialized)
struct MailDigestTests {
    /// Waits until the `email` consumer has read the whole log.
    static func caughtUp(_ world: World) async throws {
        let head = try await world.store.headPosition()
        let deadline = ContinuousClock.now + .seconds(20)
        while ContinuousClock.now < deadline {
            if try await world.store.consumerPositions().first(where: { $0.name == MailConsumer.name })?.position ?? 0 >= head { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("the email consumer did not catch up with position \(head)")
    }

    @Test(arguments: StoreKind.allCases)
    func eachUserGetsOneDigestOfWhatTheyMayViewInTheirLanguage(_ kind: StoreKind) async throws {
        try await MailDeliveryTests.live(kind) { sink, world, client in
            let daily: JSONValue = ["email": ["digest": "daily"]]
            let spanish: JSONValue = ["locale": "es", "time_zone": "America/Mexico_City", "email": ["digest": "daily"]]
            for (user, body) in [("owner", daily), ("fabricator", daily), ("client", spanish)] {
                let set = try await client.call(.patch, "/v1/me/preferences", as: world.token(user), json: body)
                #expect(set.code == 200, "\(set.text)")
            }
            for project in ["own", "draft"] {
                let moved = try await client.call(
                    .post, "/v1/projects/\(world.project(project).lowercased)/status", as: world.token("owner"), json: ["status": "estimating"])
                #expect(moved.code == 200, "\(moved.text)")
            }
            try await Self.caughtUp(world)
            let digests = ServerConsumers.digests(store: world.store, configuration: world.configuration, logger: World.logger)
            // Due at the last 07:00; then a day later (the activity is due by then), twice at once
            // as two instances would, and once more: one digest per user and period.
            _ = try await digests.queueDue()
            let later = Date().addingTimeInterval(86_400 + 60)
            async let first = digests.queueDue(now: later)
            async let second = ServerConsumers.digests(store: world.store, configuration: world.configuration, logger: World.logger).queueDue(now: later)
            _ = try await (first, second)
            _ = try await digests.queueDue(now: later)
            let got = try await sink.wait { $0.count >= 2 }
            try await Task.sleep(for: .milliseconds(800))
            #expect(sink.messages().count == 2, "owner and client; the fabricator's digest is empty: \(sink.messages().map(\.recipients))")
            #expect(Set(got.flatMap(\.recipients)) == ["owner@acme.example", "client@acme.example"])
            let toClient = try #require(got.first { $0.recipients == ["client@acme.example"] })
            #expect(toClient.subject == "Su resumen diario de Apex: lo que cambió en Acme Signs", "\(toClient.subject ?? "")")
            #expect(toClient.text?.contains("Pylon own") == true && toClient.text?.contains("Pylon draft") == false, "\(toClient.text ?? "")")
            #expect(toClient.text?.contains(" de 20") == true, "Spanish long dates: \(toClient.text ?? "")")
            #expect(toClient.html?.contains("lang=\"es\"") == true)
            let toOwner = try #require(got.first { $0.recipients == ["owner@acme.example"] })
            #expect(toOwner.subject == "Your daily Apex digest: what changed in Acme Signs", "\(toOwner.subject ?? "")")
            #expect(toOwner.text?.contains("Pylon own") == true && toOwner.text?.contains("Pylon draft") == true)
            #expect(got.allSatisfy { $0.defects.isEmpty && $0.types == ["multipart/alternative", "text/plain", "text/html"] })
            // Nothing new since: the next run queues nothing.
            #expect(try await digests.queueDue(now: later.addingTimeInterval(86_400), endingNow: true) == 0)
        }
    }
}
