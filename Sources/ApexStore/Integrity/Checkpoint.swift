public import ApexDomain
public import Crypto
public import Foundation

/// A signed seal over the global order: every event up to ``position`` folded into ``digest``.
///
/// `digest_n = hex(SHA-256(digest_{n-1} ‖ "position|stream|version|hash"))`, where the previous
/// digest enters as its 64-character lowercase hex text (UTF-8) and `digest_0` is 64 `0`
/// characters. The signature (Ed25519) covers the canonical JSON of position, digest, created_at
/// and public_key, so a checkpoint proves that the log up to it was exactly this, in this order.
public struct Checkpoint: Sendable, Hashable, Codable {
    /// The last position covered.
    public var position: Int64
    /// The running digest at ``position`` (hex).
    public var digest: String
    /// When it was sealed.
    public var createdAt: Date
    /// The signer's Ed25519 public key (base64 of the raw 32 bytes).
    public var publicKey: String
    /// The signature (base64).
    public var signature: String

    /// A checkpoint.
    public init(position: Int64, digest: String, createdAt: Date, publicKey: String, signature: String) {
        self.position = position
        self.digest = digest
        self.createdAt = createdAt
        self.publicKey = publicKey
        self.signature = signature
    }

    /// The bytes the signature covers.
    public var signedBytes: [UInt8] {
        CanonicalJSON.bytes([
            "position": .number(Double(position)), "digest": .string(digest),
            "created_at": .string(Timestamp.format(createdAt)), "public_key": .string(publicKey),
        ])
    }

    /// A checkpoint signed with `key`.
    public static func signed(position: Int64, digest: String, createdAt: Date, key: Curve25519.Signing.PrivateKey) throws -> Checkpoint {
        var checkpoint = Checkpoint(
            position: position, digest: digest, createdAt: Timestamp.truncated(createdAt),
            publicKey: key.publicKey.rawRepresentation.base64EncodedString(), signature: "")
        checkpoint.signature = try key.signature(for: Data(checkpoint.signedBytes)).base64EncodedString()
        return checkpoint
    }

    /// Whether the signature is valid for the embedded public key (and, if given, that key is `trusted`).
    public func hasValidSignature(trusting trusted: String? = nil) -> Bool {
        if let trusted, trusted != publicKey { return false }
        guard let raw = Data(base64Encoded: publicKey), let key = try? Curve25519.Signing.PublicKey(rawRepresentation: raw),
            let sig = Data(base64Encoded: signature)
        else { return false }
        return key.isValidSignature(sig, for: Data(signedBytes))
    }

    enum CodingKeys: String, CodingKey {
        case position, digest, signature
        case createdAt = "created_at"
        case publicKey = "public_key"
    }
}

/// The running digest over the global order that checkpoints seal:
/// `digest = SHA-256(previous digest as hex ‖ "position|stream|version|hash")`, per event.
public struct GlobalDigest: Sendable, Hashable {
    /// The current value as the UTF-8 of its hex: what the next event's step hashes first.
    private var hexBytes: [UInt8]

    /// The current value (hex).
    public var hex: String { String(decoding: hexBytes, as: UTF8.self) }

    /// The digest before any event, or continuing from a checkpoint's digest.
    public init(continuingFrom hex: String = String(repeating: "0", count: 64)) { hexBytes = Array(hex.utf8) }

    /// Folds in one event.
    public mutating func add(_ event: EventEnvelope) {
        add(position: event.position, stream: event.stream.rawValue, version: event.version, hash: event.hash)
    }

    /// Folds in one event by the four values the digest covers.
    package mutating func add(position: Int64, stream: String, version: Int64, hash: String) {
        var input = hexBytes
        input.reserveCapacity(hexBytes.count + stream.utf8.count + hash.utf8.count + 48)
        input.append(contentsOf: String(position).utf8)
        input.append(UInt8(ascii: "|"))
        input.append(contentsOf: stream.utf8)
        input.append(UInt8(ascii: "|"))
        input.append(contentsOf: String(version).utf8)
        input.append(UInt8(ascii: "|"))
        input.append(contentsOf: hash.utf8)
        var sha = SHA256()
        input.withUnsafeBytes { sha.update(bufferPointer: $0) }
        hexBytes.removeAll(keepingCapacity: true)
        EventHash.appendHex(sha.finalize(), to: &hexBytes)
    }
}

extension EventStore {
    /// Seals a signed checkpoint at the current head, continuing the digest from the last
    /// checkpoint. Returns the last checkpoint unchanged when nothing was appended since.
    @discardableResult
    public func sealCheckpoint(signer: Curve25519.Signing.PrivateKey, now: Date = Date()) async throws -> Checkpoint? {
        let last = try await checkpoints().last
        var digest = GlobalDigest(continuingFrom: last?.digest ?? GlobalDigest().hex)
        var cursor = last?.position ?? 0
        let head = try await headPosition()
        guard head > cursor else { return last }
        while cursor < head {
            let page = try await storedRows(after: cursor, limit: 2000).prefix { $0.position <= head }
            guard !page.isEmpty else { break }
            for row in page { digest.add(position: row.position, stream: row.stream, version: row.version, hash: row.hash) }
            cursor = page.last!.position
        }
        let checkpoint = try Checkpoint.signed(position: cursor, digest: digest.hex, createdAt: now, key: signer)
        try await insertCheckpoint(checkpoint)
        return checkpoint
    }
}
