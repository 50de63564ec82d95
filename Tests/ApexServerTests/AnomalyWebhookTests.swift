import ApexAnalytics
import ApexDomain
import ApexServer
import ApexStore
import ApexTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// An anomaly flag is an event of the account's stream, so a webhook subscribed to it receives
/// it: the server's consumers (`anomalies` raising the flag, `webhooks` queueing it) and the
/// delivery worker run beside a live socket, and a Python receiver verifies the signature.
@Suite("Anomaly flags by webhook", .serialized)
struct AnomalyWebhookTests {
    @Test(arguments: StoreKind.allCases)
    func aFlagIsDeliveredToAnEndpointSubscribedToIt(_ kind: StoreKind) async throws {
        try await WebhookReceiver.with { receiver in
            // No seeded projects: their approval right after the seeded license changes would be flagged too.
            try await World.with(kind, withProjects: false, configure: {
                WebhookDeliveryTests.fast(&$0)
                $0.denialWindow = .zero
            }) { world in
                try await WebhookDeliveryTests.serving(world) { client in
                    _ = try await WebhookDeliveryTests.create(client, world, receiver, "/ok", types: ["audit.anomaly_flagged"])
                    for _ in 0..<AnomalyThresholds.denialBurst {
                        expectProblem(try await client.call(.get, "/v1/audit/events", as: world.token("fabricator")), 403, "role_forbids")
                    }
                    let got = try await receiver.waitFor(1, at: "/ok")
                    #expect(got.allSatisfy { $0.verified == [true] })
                    let body = try #require(got.first?.json)
                    #expect(body["type"]?.stringValue == "audit.anomaly_flagged", "\(body)")
                    #expect(body["data"]?["stream"]?.stringValue == "anomalies-\(world.account.lowercased)")
                    #expect(body["data"]?["after"]?["rule"]?.stringValue == "denial_burst", "\(body)")
                    #expect(body["data"]?["after"]?["positions"]?.array?.count == AnomalyThresholds.denialBurst)
                    // Nothing but the flag: the denials themselves are not subscribed to.
                    try await Task.sleep(for: .milliseconds(500))
                    #expect(receiver.requests("/ok").count == 1)
                }
            }
        }
    }
}
