import Crypto
import Foundation

/// The tamper-evident hash chain: `hash = SHA-256(prev_hash ‖ canonical envelope)`.
///
/// The canonical envelope is the canonical JSON of every field but `position`, `prev_hash`
/// and `hash`: stream, version, id, type, schema_version, data, account_id, actor,
/// request_metadata, reason and recorded_at. Personal values are hashed in the form the
/// store keeps them (sealed), so erasing a key never breaks the chain. The global position is
/// sealed by signed checkpoints instead, so that writers to different streams never wait for
/// each other to compute a hash.
public enum EventHash {
    /// The `prev_hash` of a stream's first event.
    public static let genesis = String(repeating: "0", count: 64)

    /// The hash of `envelope` chained to `prevHash`.
    public static func compute(_ envelope: EventEnvelope, prevHash: String) -> String {
        compute(body: envelope.canonicalBodyBytes, prevHash: prevHash)
    }

    /// The hash of a canonical body, given as its bytes, chained to `prevHash`.
    package static func compute(body: [UInt8], prevHash: String) -> String {
        hex(digest(body: body, prevHash: prevHash))
    }

    /// Whether the hash of a canonical body chained to `prevHash` is `hash` (lowercase hex),
    /// compared without building the hex string.
    package static func matches(body: [UInt8], prevHash: String, hash: String) -> Bool {
        let digest = digest(body: body, prevHash: prevHash)
        var expected = hash
        return expected.withUTF8 { stored in
            guard stored.count == 2 * SHA256.byteCount else { return false }
            return zip(digest, stride(from: 0, to: stored.count, by: 2)).allSatisfy { b, i in
                stored[i] == hexDigits[Int(b >> 4)] && stored[i + 1] == hexDigits[Int(b & 0x0F)]
            }
        }
    }

    private static func digest(body: [UInt8], prevHash: String) -> SHA256.Digest {
        var sha = SHA256()
        var prev = prevHash
        prev.withUTF8 { sha.update(bufferPointer: UnsafeRawBufferPointer($0)) }
        body.withUnsafeBytes { sha.update(bufferPointer: $0) }
        return sha.finalize()
    }

    /// Lowercase hex of a digest.
    public static func hex<D: Sequence>(_ digest: D) -> String where D.Element == UInt8 {
        var out: [UInt8] = []
        out.reserveCapacity(64)
        appendHex(digest, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends the lowercase hex of `digest` to `out`.
    package static func appendHex<D: Sequence>(_ digest: D, to out: inout [UInt8]) where D.Element == UInt8 {
        for b in digest {
            out.append(hexDigits[Int(b >> 4)])
            out.append(hexDigits[Int(b & 0x0F)])
        }
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)
}

extension EventEnvelope {
    /// `CanonicalJSON.bytes(canonicalBody)`, written member by member in key order without
    /// building the object first (every append and every verified event hashes one).
    var canonicalBodyBytes: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(512)
        func member(_ key: StaticString, _ write: (inout [UInt8]) -> Void) {
            out.append(out.isEmpty ? UInt8(ascii: "{") : UInt8(ascii: ","))
            out.append(UInt8(ascii: "\""))
            out.append(contentsOf: UnsafeBufferPointer(start: key.utf8Start, count: key.utf8CodeUnitCount))
            out.append(contentsOf: "\":".utf8)
            write(&out)
        }
        member("account_id") { CanonicalJSON.writeString(accountID.lowercased, into: &$0) }
        member("actor") { CanonicalJSON.write(actor.json, into: &$0) }
        member("data") { CanonicalJSON.write(data, into: &$0) }
        member("id") { CanonicalJSON.writeString(id.lowercased, into: &$0) }
        member("reason") { out in
            if let reason { CanonicalJSON.writeString(reason, into: &out) } else { out.append(contentsOf: "null".utf8) }
        }
        member("recorded_at") { CanonicalJSON.writeString(Timestamp.format(recordedAt), into: &$0) }
        member("request_metadata") { CanonicalJSON.write(requestMetadata.json, into: &$0) }
        member("schema_version") { $0.append(contentsOf: CanonicalJSON.number(Double(schemaVersion)).utf8) }
        member("stream") { CanonicalJSON.writeString(stream.rawValue, into: &$0) }
        member("type") { CanonicalJSON.writeString(type, into: &$0) }
        member("version") { $0.append(contentsOf: CanonicalJSON.number(Double(version)).utf8) }
        out.append(UInt8(ascii: "}"))
        return out
    }

    /// The hashed part of the envelope, as canonical JSON.
    public var canonicalBody: JSONValue {
        var body: [String: JSONValue] = [
            "stream": .string(stream.rawValue),
            "version": .number(Double(version)),
            "id": .string(id.lowercased),
            "type": .string(type),
            "schema_version": .number(Double(schemaVersion)),
            "data": data,
            "account_id": .string(accountID.lowercased),
            "actor": actor.json,
            "request_metadata": requestMetadata.json,
            "recorded_at": .string(Timestamp.format(recordedAt)),
        ]
        body["reason"] = reason.map(JSONValue.string) ?? .null
        return .object(body)
    }
}

extension Actor {
    /// The actor as JSON (absent fields are `null`).
    public var json: JSONValue {
        .object([
            "user_id": userID.map { .string($0.lowercased) } ?? .null,
            "on_behalf_of": onBehalfOf.map { .string($0.lowercased) } ?? .null,
            "service": service.map(JSONValue.string) ?? .null,
        ])
    }
}

extension Personal {
    /// The `pii` object as JSON.
    public var json: JSONValue {
        switch content {
        case .plain(let v): .object(["pii": .string(subject), "value": .string(v)])
        case .sealed(let s): .object(["pii": .string(subject), "sealed": .string(s)])
        case .erased: .object(["pii": .string(subject), "erased": .bool(true)])
        }
    }
}

extension RequestMetadata {
    /// The metadata as JSON (absent fields are `null`; personal fields as `pii` objects).
    /// `forwarded` appears only when set, so older events' JSON and hashes are unchanged.
    public var json: JSONValue {
        var o: [String: JSONValue] = [
            "ip_address": ipAddress?.json ?? .null,
            "user_agent": userAgent?.json ?? .null,
            "x_forwarded_for": xForwardedFor?.json ?? .null,
            "peer_address": peerAddress?.json ?? .null,
            "request_id": requestID.map(JSONValue.string) ?? .null,
            "trace_id": traceID.map(JSONValue.string) ?? .null,
        ]
        if let forwarded { o["forwarded"] = forwarded.json }
        return .object(o)
    }
}
