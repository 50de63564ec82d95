import ApexDomain
import Crypto
public import Foundation

/// Seals webhook signing secrets at rest (AES-256-GCM), so a dump of the database alone does
/// not reveal them.
///
/// The key is derived (HKDF-SHA256) from the server's secret material, the JWT secret every
/// instance on one store shares (`APEX_JWT_SECRET`, or the one kept in the SQLite data folder):
/// changing that secret makes the stored webhook secrets unreadable (attempts then fail without
/// sending anything), and each endpoint then needs `rotate-secret`. A sealed value is bound to its endpoint (additional authenticated data), so
/// it cannot be copied to another endpoint's row.
public struct WebhookSecretBox: Sendable {
    let key: SymmetricKey

    /// The prefix of a sealed value: `sealed:v1:` and the base64 of nonce, ciphertext and tag.
    static let prefix = "sealed:v1:"

    /// A box with the key derived from `material` (the server's JWT secret).
    public init(deriving material: String) {
        key = HKDF<SHA256>.deriveKey(
            inputKeyMaterial: SymmetricKey(data: Data(material.utf8)), salt: Data("apex.webhooks".utf8),
            info: Data("webhook signing secrets at rest v1".utf8), outputByteCount: 32)
    }

    /// `secret` sealed for `endpoint`.
    package func seal(_ secret: WebhookSecret, endpoint: UUID) throws -> String {
        let box = try AES.GCM.seal(secret.bytes, using: key, authenticating: Data(endpoint.lowercased.utf8))
        guard let combined = box.combined else { throw WebhooksError(.invalidSecret, "sealing a webhook secret failed") }
        return Self.prefix + combined.base64EncodedString()
    }

    /// The secret a stored value holds: sealed, or plaintext `whsec_…` as a version before
    /// sealing wrote it (until ``WebhookStore/prepare()`` seals it); nil when it does not open
    /// with this key.
    func open(_ stored: String, endpoint: UUID) -> WebhookSecret? {
        if stored.hasPrefix("whsec_") { return try? WebhookSecret(parsing: stored) }
        guard stored.hasPrefix(Self.prefix), let data = Data(base64Encoded: String(stored.dropFirst(Self.prefix.count))),
              let box = try? AES.GCM.SealedBox(combined: data),
              let bytes = try? AES.GCM.open(box, using: key, authenticating: Data(endpoint.lowercased.utf8)),
              (24...64).contains(bytes.count)
        else { return nil }
        return WebhookSecret(bytes: bytes)
    }
}
