import ApexDomain
import ApexServer
import ApexStore
import ApexTestSupport
import ApexWebhooks
import Foundation
import HTTPTypes
import Testing

/// Webhook signing secrets are sealed at rest: the stored row never holds them, deliveries
/// still verify, and rows an earlier version stored in plaintext are sealed at start.
@Suite("Webhook secrets at rest", .serialized)
struct WebhookSecretSealingTests {
    typealias D = WebhookDeliveryTests

    /// Whether any stored column shows `secret` (as `whsec_…` or as the base64 of its bytes).
    static func reveals(_ columns: [String: String], _ secret: String) throws -> Bool {
        let bytes = try WebhookSecret(parsing: secret).bytes.base64EncodedString()
        return columns.values.contains { $0.contains(secret) || $0.contains(bytes) }
    }

    @Test(arguments: StoreKind.allCases)
    func theStoredRowNeverHoldsTheSecretAndDeliveriesVerify(_ kind: StoreKind) async throws {
        try await D.live(kind) { receiver, world, client in
            let (id, old) = try await D.create(client, world, receiver, "/ok")
            let endpoint = try #require(UUID(uuidString: id))
            let hooks = WebhookStore(store: world.store)
            var columns = try await hooks.storedColumns(endpoint)
            #expect(columns["secret"]?.hasPrefix("sealed:v1:") == true, "\(columns.keys.sorted())")
            #expect(try !Self.reveals(columns, old))
            _ = try await D.newProject(client, world, "Sealed pylon")
            #expect(try await receiver.waitFor(1, at: "/ok").first?.verified == [true])

            // A rotation seals both: the new secret and the previous one.
            let rotated = try await client.call(.post, "/v1/webhooks/\(id)/rotate-secret", as: world.token("owner"))
            let new = try #require(rotated["secret"]?.stringValue)
            columns = try await hooks.storedColumns(endpoint)
            #expect(columns["previous_secret"]?.hasPrefix("sealed:v1:") == true)
            #expect(try !Self.reveals(columns, old) && !Self.reveals(columns, new))
            try receiver.setSecrets([new, old], for: "/ok")
            _ = try await D.newProject(client, world, "Rotated sealed pylon")
            #expect(try await receiver.waitFor(2, at: "/ok").last?.verified == [true, true])

        }
    }

    @Test(arguments: StoreKind.allCases)
    func plaintextRowsOfAnEarlierVersionAreSealedAtStart(_ kind: StoreKind) async throws {
        try await D.live(kind) { receiver, world, client in
            let (id, secret) = try await D.create(client, world, receiver, "/ok")
            let endpoint = try #require(UUID(uuidString: id))
            // The row as a version before sealing left it.
            let legacy = WebhookStore(store: world.store)
            try await legacy.overwriteStoredSecret(secret, endpoint: endpoint)
            #expect(try await legacy.storedColumns(endpoint)["secret"] == secret)
            // A server starting (its store prepared) seals it.
            try await WebhookStore(store: world.store, secrets: world.configuration.webhookSecrets).prepare()
            let columns = try await legacy.storedColumns(endpoint)
            #expect(columns["secret"]?.hasPrefix("sealed:v1:") == true)
            #expect(try !Self.reveals(columns, secret))
            _ = try await D.newProject(client, world, "Migrated pylon")
            #expect(try await receiver.waitFor(1, at: "/ok").first?.verified == [true], "the sealed secret still signs")
        }
    }

    @Test(arguments: StoreKind.allCases)
    func aSecretThatDoesNotOpenIsNeverSentUnsigned(_ kind: StoreKind) async throws {
        try await D.live(kind) { receiver, world, client in
            let (id, _) = try await D.create(client, world, receiver, "/ok")
            let endpoint = try #require(UUID(uuidString: id))
            // Sealed under another server's key, as after the JWT secret changed.
            let foreign = try WebhookSecretBox(deriving: "another server's secret material, 32 bytes").seal(.generate(), endpoint: endpoint)
            try await WebhookStore(store: world.store).overwriteStoredSecret(foreign, endpoint: endpoint)
            _ = try await D.newProject(client, world, "Unsigned pylon")
            let log = try await D.deliveries(client, world, id) { $0.first?["status"]?.stringValue == "failed" }
            let attempts = log.first?["attempts"]?.array ?? []
            #expect(attempts.count == 4)
            #expect(attempts.allSatisfy { $0["error"]?.stringValue?.contains("rotate the endpoint's secret") == true }, "\(attempts)")
            #expect(receiver.requests("/ok").isEmpty, "nothing was sent unsigned")
        }
    }
}
