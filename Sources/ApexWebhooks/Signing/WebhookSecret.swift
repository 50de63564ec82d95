import Crypto
public import Foundation

/// A Standard Webhooks signing secret: `whsec_` and the base64 of 24-64 random bytes; the
/// HMAC key is the decoded bytes.
public struct WebhookSecret: Sendable, Hashable, CustomStringConvertible {
    /// The key bytes.
    public let bytes: Data

    /// A new secret of 32 random bytes.
    public static func generate() -> WebhookSecret {
        WebhookSecret(bytes: Data(SymmetricKey(size: .bits256).withUnsafeBytes { Array($0) }))
    }

    /// A secret of `bytes` (24 to 64 of them).
    public init(bytes: Data) {
        precondition((24...64).contains(bytes.count), "a webhook secret has 24 to 64 bytes")
        self.bytes = bytes
    }

    /// Parses `whsec_…`.
    public init(parsing text: String) throws(WebhooksError) {
        guard text.hasPrefix("whsec_"), let bytes = Data(base64Encoded: String(text.dropFirst(6))), (24...64).contains(bytes.count) else {
            throw WebhooksError(.invalidSecret, "a webhook secret is whsec_ followed by the base64 of 24 to 64 bytes")
        }
        self.bytes = bytes
    }

    /// `whsec_…`: shown once, when the endpoint is created or the secret rotated.
    public var text: String { "whsec_" + bytes.base64EncodedString() }

    /// Never the secret itself.
    public var description: String { "whsec_[redacted]" }

    /// The `v1,<base64>` signature of a message.
    public func signature(id: String, timestamp: Int64, body: Data) -> String {
        var content = Data("\(id).\(timestamp).".utf8)
        content.append(body)
        let mac = HMAC<SHA256>.authenticationCode(for: content, using: SymmetricKey(data: bytes))
        return "v1," + Data(mac).base64EncodedString()
    }
}

/// The headers of one Standard Webhooks message, signed with every secret in effect.
public struct SignedHeaders: Sendable, Hashable {
    /// `webhook-id`: the same for every attempt of one message.
    public var id: String
    /// `webhook-timestamp`: unix seconds of this attempt.
    public var timestamp: Int64
    /// `webhook-signature`: space-separated `v1,<base64>` entries, one per secret.
    public var signature: String

    /// Signs `body` for `id` at `timestamp` with each of `secrets` (the current one first).
    public init(id: String, timestamp: Int64, body: Data, secrets: [WebhookSecret]) {
        self.id = id
        self.timestamp = timestamp
        self.signature = secrets.map { $0.signature(id: id, timestamp: timestamp, body: body) }.joined(separator: " ")
    }
}
