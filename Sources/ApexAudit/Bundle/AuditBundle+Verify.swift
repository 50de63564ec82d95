package import ApexDomain
package import ApexStore
import Crypto
package import Foundation

/// What `audit verify-bundle` found: intact, or every problem it could name.
package struct BundleVerification: Sendable {
    package var stream: String?
    package var eventsChecked = 0
    package var checkpointsChecked = 0
    package var format: String?
    package var inclusionProofsChecked = 0
    package var consistencyProofsChecked = 0
    /// Version 1 bundles only: entries of the global log folded.
    package var globalLogEntries = 0
    package var publicKey: String?
    package var publicKeyPinned = false
    package var failures: [VerifyFailure] = []

    package var ok: Bool { failures.isEmpty }

    package var json: JSONValue {
        [
            "ok": .bool(ok), "stream": stream.map(JSONValue.string) ?? .null, "events_checked": .number(Double(eventsChecked)),
            "checkpoints_checked": .number(Double(checkpointsChecked)), "format": format.map(JSONValue.string) ?? .null,
            "inclusion_proofs_checked": .number(Double(inclusionProofsChecked)),
            "consistency_proofs_checked": .number(Double(consistencyProofsChecked)), "global_log_entries": .number(Double(globalLogEntries)),
            "public_key": publicKey.map(JSONValue.string) ?? .null, "public_key_pinned": .bool(publicKeyPinned),
            "failures": .array(failures.map { (try? CanonicalJSON.value(of: $0)) ?? .null }),
        ]
    }
}

/// Checks a bundle with no database: pure, over the file's bytes.
///
/// Every byte is covered twice: line 1 by the signature on line 2 (checked over the raw bytes,
/// before any parsing, so even a line that no longer parses is proven altered), and line 2 by
/// being required in exactly its canonical form. Beyond the signature, each part is checked on
/// its own so a report names what was changed: events (hash, chain, versions), each event's
/// inclusion proof in a checkpoint's Merkle tree, the consistency proofs between checkpoints,
/// each checkpoint's signature, and the project's replay. A version 1 bundle is checked as it
/// always was (``AuditBundle/legacyFormat``: the global log and each checkpoint's digest).
package struct BundleVerifier {
    /// Only bundles and checkpoints signed by this key (base64) are accepted; nil trusts the embedded key.
    package var pinnedKey: String?
    var result = BundleVerification()
    private static let maxFailures = 25

    package init(pinnedKey: String?) {
        self.pinnedKey = pinnedKey
        result.publicKeyPinned = pinnedKey != nil
    }

    mutating func fail(_ kind: String, version: Int64? = nil, position: Int64? = nil, _ message: String) {
        guard result.failures.count < Self.maxFailures else { return }
        result.failures.append(VerifyFailure(kind: kind, stream: version == nil ? nil : result.stream, version: version, position: position, message: message))
    }

    package mutating func verify(_ data: Data) -> BundleVerification {
        let bytes = [UInt8](data)
        let lines = bytes.split(separator: 0x0A, omittingEmptySubsequences: false)
        if lines.count != 3 || !lines[2].isEmpty {
            fail("bundle_format", "a bundle is exactly two lines, each ending in a newline; this file has \(lines.count - 1) newline(s) and \(lines.last?.count ?? 0) byte(s) after the last")
        }
        guard lines.count >= 2 else {
            fail("bundle_signature", "there is no signature line: the bundle was truncated or altered")
            return result
        }
        return verifyLines(Array(lines[0]), Array(lines[1]))
    }

    private mutating func verifyLines(_ line1: [UInt8], _ line2: [UInt8]) -> BundleVerification {
        checkSignatureLine(line2, over: line1)
        guard let body = try? JSONDecoder().decode(JSONValue.self, from: Data(line1)), case .object(let top) = body else {
            fail("bundle_format", "line 1 is not a JSON object: the body was altered or truncated")
            return result
        }
        if CanonicalJSON.bytes(body) != line1 { fail("bundle_format", "line 1 is not in canonical JSON form: it was re-encoded or altered") }
        let format = top["format"]?.stringValue
        guard format == AuditBundle.format || format == AuditBundle.legacyFormat else {
            fail("bundle_format", "format is not \(AuditBundle.format) (nor the older \(AuditBundle.legacyFormat))")
            return result
        }
        result.format = format
        if top["engine_version"]?.stringValue == nil { fail("bundle_format", "engine_version is missing") }
        if top["created_at"]?.stringValue.flatMap(Timestamp.parse) == nil { fail("bundle_format", "created_at is not a timestamp") }
        if let key = top["public_key"]?.stringValue {
            if key != result.publicKey {
                fail("public_key_mismatch", "the body names public key \(key) but line 2 was signed with \(result.publicKey ?? "no key")")
            }
        } else {
            fail("bundle_format", "public_key is missing")
        }
        guard let stream = top["stream"]?.stringValue, stream.hasPrefix("project-"), case .array(let rawEvents)? = top["events"],
            case .array(let rawCheckpoints)? = top["checkpoints"]
        else {
            fail("bundle_format", "stream, events or checkpoints is missing or of the wrong kind")
            return result
        }
        result.stream = stream
        let (events, raw) = checkEvents(rawEvents, stream: StreamID(rawValue: stream))
        let version = format == AuditBundle.format ? 2 : 1
        let checkpoints = checkCheckpoints(rawCheckpoints, version: version, lastEvent: events.last?.position)
        if version == 2 {
            checkProofs(top, events: raw, checkpoints: checkpoints)
        } else if case .array(let rawLog)? = top["global_log"] {
            checkGlobalLog(rawLog, events: events, checkpoints: checkpoints)
        } else {
            fail("bundle_format", "global_log is missing or of the wrong kind")
        }
        do { _ = try ProjectState.replay(events) } catch { fail("replay_failed", "the project's events do not replay: \(error)") }
        return result
    }

    private mutating func checkSignatureLine(_ line2: [UInt8], over line1: [UInt8]) {
        guard let value = try? JSONDecoder().decode(JSONValue.self, from: Data(line2)), CanonicalJSON.bytes(value) == line2,
            value.objectValue?.count == 2, let key = value["public_key"]?.stringValue, let signature = value["signature"]?.stringValue
        else {
            fail("bundle_signature", "line 2 is not the canonical {\"public_key\",\"signature\"} object: the signature line was altered")
            return
        }
        result.publicKey = key
        if let pinnedKey, key != pinnedKey { fail("public_key_mismatch", "the bundle is signed by \(key), not by the --public-key \(pinnedKey)") }
        guard let rawKey = Data(base64Encoded: key), rawKey.base64EncodedString() == key,
            let publicKey = try? Curve25519.Signing.PublicKey(rawRepresentation: rawKey),
            let rawSignature = Data(base64Encoded: signature), rawSignature.base64EncodedString() == signature
        else {
            fail("bundle_signature", "the public key or signature on line 2 is not canonical base64 of an Ed25519 key and signature")
            return
        }
        if !publicKey.isValidSignature(rawSignature, for: Data(line1)) {
            fail("bundle_signature", "the Ed25519 signature on line 2 does not match the bytes of line 1: the bundle was altered after it was signed")
        }
    }

    /// Decodes and checks the events: canonical form, one stream, versions 1… without gaps, the
    /// hash chain and each hash recomputed. Returns the events that decode, and each raw event's
    /// decoded form (nil where it does not decode), in the bundle's order.
    private mutating func checkEvents(_ raw: [JSONValue], stream: StreamID) -> ([EventEnvelope], [EventEnvelope?]) {
        var events: [EventEnvelope] = []
        var decoded: [EventEnvelope?] = []
        var prevHash = EventHash.genesis
        for (index, value) in raw.enumerated() {
            let expectedVersion = Int64(index + 1)
            guard let event = AuditBundle.event(from: value) else {
                fail("event_format", version: expectedVersion, position: AuditBundle.position(in: value),
                     "event \(index + 1) does not decode or is not in canonical form: it was altered")
                decoded.append(nil)
                continue
            }
            result.eventsChecked += 1
            let v = event.version, p = event.position
            if event.stream != stream { fail("stream_mismatch", version: v, position: p, "the event belongs to \(event.stream), not \(stream)") }
            if v != expectedVersion { fail("version_gap", version: v, position: p, "expected version \(expectedVersion), found \(v)") }
            if let previous = events.last, p <= previous.position {
                fail("position_order", version: v, position: p, "position \(p) does not follow \(previous.position)")
            }
            if event.prevHash != prevHash {
                fail("chain_broken", version: v, position: p, "prev_hash is \(event.prevHash.prefix(12))…, the previous event's hash is \(prevHash.prefix(12))…")
            }
            let recomputed = EventHash.compute(event, prevHash: event.prevHash)
            if recomputed != event.hash {
                fail("hash_mismatch", version: v, position: p, "recorded hash \(event.hash.prefix(12))… but the content hashes to \(recomputed.prefix(12))…: the event was altered")
            }
            prevHash = event.hash
            events.append(event)
            decoded.append(event)
        }
        if events.isEmpty { fail("bundle_format", "the bundle holds no events") }
        return (events, decoded)
    }

    /// Each checkpoint: canonical, of the bundle's checkpoint version, in increasing position
    /// order, its signature valid (by the pinned key when given); and one of them covers the last
    /// event. Returns each raw checkpoint's decoded form (nil where it does not decode).
    private mutating func checkCheckpoints(_ raw: [JSONValue], version: Int, lastEvent: Int64?) -> [Checkpoint?] {
        var previous: Int64 = 0
        var covered = false
        var decoded: [Checkpoint?] = []
        for (index, value) in raw.enumerated() {
            guard let c = AuditBundle.checkpoint(from: value), c.version == version else {
                fail("checkpoint_format", position: AuditBundle.position(in: value),
                     "checkpoint \(index + 1) does not decode, is not a version \(version) checkpoint or is not in canonical form: it was altered")
                decoded.append(nil)
                continue
            }
            decoded.append(c)
            result.checkpointsChecked += 1
            if c.position <= previous { fail("checkpoint_order", position: c.position, "checkpoints are not in increasing position order") }
            previous = c.position
            if let lastEvent, c.position >= lastEvent { covered = true }
            if !c.hasValidSignature(trusting: pinnedKey) {
                fail("checkpoint_signature", position: c.position,
                     pinnedKey == nil ? "the checkpoint's signature does not verify" : "the checkpoint is not validly signed by the --public-key")
            }
        }
        if let lastEvent, !covered {
            fail("checkpoint_missing", position: lastEvent, "no checkpoint covers the project's last event at position \(lastEvent)")
        }
        return decoded
    }
}
