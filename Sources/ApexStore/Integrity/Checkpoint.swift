public import ApexDomain
public import Crypto
public import Foundation

/// A signed seal over the global order: every event up to ``position``.
///
/// **Version 2** (every checkpoint sealed now) signs the head of the RFC 6962 Merkle tree over
/// the global log (see ``root``; leaf `i` is the hash of the event at position `i + 1`), so one
/// event can be proven to be in the log (an inclusion proof) and one checkpoint's log to be a
/// prefix of a later one's (a consistency proof) with a few hashes and nothing of other events.
/// The signature (Ed25519) covers the canonical JSON of version, position, root, created_at and
/// public_key.
///
/// **Version 1** (checkpoints sealed before) signs a running digest, kept verifiable:
/// `digest_n = hex(SHA-256(digest_{n-1} ‖ "position|stream|version|hash"))`, where the previous
/// digest enters as its 64-character lowercase hex text (UTF-8) and `digest_0` is 64 `0`
/// characters; the signature covers the canonical JSON of position, digest, created_at and public_key.
public struct Checkpoint: Sendable, Hashable, Codable {
    /// 2 for a Merkle tree head, 1 for the running digest of older checkpoints.
    public var version: Int
    /// The last position covered (for version 2, the tree size).
    public var position: Int64
    /// What is sealed (hex): the Merkle tree head for version 2, the running digest for version 1.
    public var digest: String
    /// When it was sealed.
    public var createdAt: Date
    /// The signer's Ed25519 public key (base64 of the raw 32 bytes).
    public var publicKey: String
    /// The signature (base64).
    public var signature: String
    /// Version 2: the right edge of the tree at ``position`` (kept by the store so the next
    /// checkpoint hashes only what is new; not signed, and trusted only when it folds to ``root``).
    package var frontier: [MerkleHash] = []

    /// A checkpoint.
    public init(version: Int = 1, position: Int64, digest: String, createdAt: Date, publicKey: String, signature: String) {
        self.version = version
        self.position = position
        self.digest = digest
        self.createdAt = createdAt
        self.publicKey = publicKey
        self.signature = signature
    }

    /// The Merkle tree head (hex) a version 2 checkpoint signs; nil for version 1.
    public var root: String? { version == 2 ? digest : nil }

    /// The stored right edge, when it is the edge of a tree of ``position`` leaves whose head is ``root``.
    package var merkleFrontier: MerkleFrontier? {
        guard version == 2, let edge = MerkleFrontier(size: position, hashes: frontier), edge.root.hex == digest else { return nil }
        return edge
    }

    /// The bytes the signature covers.
    public var signedBytes: [UInt8] {
        if version == 2 {
            return CanonicalJSON.bytes([
                "version": 2, "position": .number(Double(position)), "root": .string(digest),
                "created_at": .string(Timestamp.format(createdAt)), "public_key": .string(publicKey),
            ])
        }
        return CanonicalJSON.bytes([
            "position": .number(Double(position)), "digest": .string(digest),
            "created_at": .string(Timestamp.format(createdAt)), "public_key": .string(publicKey),
        ])
    }

    /// A version 2 checkpoint over the tree whose right edge is `frontier`, signed with `key`.
    package static func signed(frontier: MerkleFrontier, createdAt: Date, key: Curve25519.Signing.PrivateKey) throws -> Checkpoint {
        var checkpoint = try sign(
            Checkpoint(
                version: 2, position: frontier.size, digest: frontier.root.hex, createdAt: Timestamp.truncated(createdAt),
                publicKey: key.publicKey.rawRepresentation.base64EncodedString(), signature: ""), key: key)
        checkpoint.frontier = frontier.hashes
        return checkpoint
    }

    /// A version 1 checkpoint, as Apex sealed them before version 2 (for tools and tests that
    /// reproduce old stores; ``EventStore/sealCheckpoint(signer:now:)`` seals version 2).
    public static func signed(position: Int64, digest: String, createdAt: Date, key: Curve25519.Signing.PrivateKey) throws -> Checkpoint {
        try sign(
            Checkpoint(
                position: position, digest: digest, createdAt: Timestamp.truncated(createdAt),
                publicKey: key.publicKey.rawRepresentation.base64EncodedString(), signature: ""), key: key)
    }

    private static func sign(_ unsigned: Checkpoint, key: Curve25519.Signing.PrivateKey) throws -> Checkpoint {
        var checkpoint = unsigned
        checkpoint.signature = try key.signature(for: Data(checkpoint.signedBytes)).base64EncodedString()
        return checkpoint
    }

    /// Whether the signature is valid for the embedded public key (and, if given, that key is `trusted`).
    public func hasValidSignature(trusting trusted: String? = nil) -> Bool {
        if let trusted, trusted != publicKey { return false }
        // Only canonical base64: the padding bits of another spelling would decode to the same
        // bytes, so a changed text could still verify.
        guard version == 1 || version == 2, let raw = Data(base64Encoded: publicKey), raw.base64EncodedString() == publicKey,
            let key = try? Curve25519.Signing.PublicKey(rawRepresentation: raw), let sig = Data(base64Encoded: signature),
            sig.base64EncodedString() == signature
        else { return false }
        return key.isValidSignature(sig, for: Data(signedBytes))
    }

    enum CodingKeys: String, CodingKey {
        case version, position, digest, root, signature
        case createdAt = "created_at"
        case publicKey = "public_key"
    }

    /// Reads either version: version 2 carries `version` and `root`, version 1 neither (`digest`).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let version = try c.decodeIfPresent(Int.self, forKey: .version) ?? 1
        guard version == 1 || version == 2 else {
            throw DecodingError.dataCorruptedError(forKey: .version, in: c, debugDescription: "checkpoint version \(version) is unknown")
        }
        self.init(
            version: version, position: try c.decode(Int64.self, forKey: .position),
            digest: try c.decode(String.self, forKey: version == 2 ? .root : .digest), createdAt: try c.decode(Date.self, forKey: .createdAt),
            publicKey: try c.decode(String.self, forKey: .publicKey), signature: try c.decode(String.self, forKey: .signature))
    }

    /// Version 2 as `{created_at, position, public_key, root, signature, version}`; version 1 as it always was.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        if version != 1 { try c.encode(version, forKey: .version) }
        try c.encode(position, forKey: .position)
        try c.encode(digest, forKey: version == 1 ? .digest : .root)
        try c.encode(createdAt, forKey: .createdAt)
        try c.encode(publicKey, forKey: .publicKey)
        try c.encode(signature, forKey: .signature)
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

extension Checkpoint {
    /// A checkpoint as the adapters keep it: `frontier` is the tree edge's hashes in hex,
    /// comma-separated (empty for version 1, or when unreadable: then the next seal starts over).
    init(stored version: Int, position: Int64, digest: String, createdAt: String, publicKey: String, signature: String, frontier: String) {
        self.init(
            version: version, position: position, digest: digest, createdAt: Timestamp.parse(createdAt) ?? Date(timeIntervalSince1970: 0),
            publicKey: publicKey, signature: signature)
        let edge = frontier.split(separator: ",").map { MerkleHash(hex: String($0)) }
        self.frontier = edge.contains(nil) ? [] : edge.compactMap { $0 }
    }

    /// The tree edge as the adapters store it.
    var frontierText: String { frontier.map(\.hex).joined(separator: ",") }
}
