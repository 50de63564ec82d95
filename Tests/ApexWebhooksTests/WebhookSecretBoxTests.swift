import Foundation
import Testing
@testable import ApexWebhooks

/// Sealing signing secrets at rest: pure, no I/O.
@Suite("Webhook secret box")
struct WebhookSecretBoxTests {
    @Test func opensOnlyForItsEndpointWithItsKey() throws {
        let box = WebhookSecretBox(deriving: "server secret material, at least 32 bytes long")
        let secret = WebhookSecret.generate(), endpoint = UUID()
        let sealed = try box.seal(secret, endpoint: endpoint)
        #expect(sealed.hasPrefix("sealed:v1:"))
        #expect(!sealed.contains(secret.text.dropFirst(6)))
        #expect(box.open(sealed, endpoint: endpoint) == secret)
        // Copied to another endpoint's row, or read with another server's key: nothing.
        #expect(box.open(sealed, endpoint: UUID()) == nil)
        #expect(WebhookSecretBox(deriving: "another server's secret material, 32 bytes").open(sealed, endpoint: endpoint) == nil)
        // Each sealing has its own nonce.
        #expect(try box.seal(secret, endpoint: endpoint) != sealed)
        // Plaintext of an earlier version still opens (until it is sealed at start).
        #expect(box.open(secret.text, endpoint: endpoint) == secret)
        #expect(box.open("sealed:v1:bm90IGEgYm94", endpoint: endpoint) == nil)
    }
}
