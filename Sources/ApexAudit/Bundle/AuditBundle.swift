package import ApexDomain
package import ApexStore
package import Foundation

/// The forensic bundle format, `apex-audit-bundle/2`: a file of exactly two lines.
///
/// Line 1 is the canonical JSON of the body:
/// `{checkpoints, consistency, created_at, engine_version, events, format, inclusion, public_key, stream}`.
/// - `events`: the project's events as stored (personal values sealed), each the hashed
///   canonical envelope plus `position`, `prev_hash` and `hash`.
/// - `checkpoints`: version 2 checkpoints (signed Merkle tree heads of the global log, see
///   ``Checkpoint``): the first one covering the project's last event, and the last one sealed
///   when the bundle was made (one, when they are the same).
/// - `inclusion`: per event, in the same order, `{path, position, tree_size}`: the RFC 6962
///   audit path of the event's hash (leaf `position - 1`) in the tree of the checkpoint of
///   that size.
/// - `consistency`: per pair of consecutive checkpoints, `{from, path, to}`: the RFC 6962
///   consistency proof that the earlier tree is a prefix of the later one.
///
/// Proofs are hashes of subtrees: the bundle names no other stream, account or event.
///
/// Line 2 is `{"public_key","signature"}`: an Ed25519 signature over the exact bytes of line 1.
///
/// The previous format, `apex-audit-bundle/1` (version 1 checkpoints and a `global_log` of
/// `"position|stream|version|hash"` for every event of the store), is still verified; it is no
/// longer written, since it names every tenant's streams.
package enum AuditBundle {
    /// The format tag of line 1.
    package static let format = "apex-audit-bundle/2"
    /// The tag of the previous format, which is still read.
    package static let legacyFormat = "apex-audit-bundle/1"

    /// An event as the bundle carries it: the hashed canonical envelope, plus position and chain.
    package static func json(of event: EventEnvelope) -> JSONValue {
        var members = event.canonicalBody.objectValue ?? [:]
        members["position"] = .number(Double(event.position))
        members["prev_hash"] = .string(event.prevHash)
        members["hash"] = .string(event.hash)
        return .object(members)
    }

    /// The event `value` holds; nil when it does not decode or is not exactly the canonical form
    /// (so no byte can change without changing the event).
    package static func event(from value: JSONValue) -> EventEnvelope? {
        guard let event = try? CanonicalJSON.decode(EventEnvelope.self, from: value), json(of: event) == value else { return nil }
        return event
    }

    /// The checkpoint `value` holds; nil when it does not decode or is not exactly the canonical form.
    package static func checkpoint(from value: JSONValue) -> Checkpoint? {
        guard let checkpoint = try? CanonicalJSON.decode(Checkpoint.self, from: value),
            (try? CanonicalJSON.value(of: checkpoint)) == value
        else { return nil }
        return checkpoint
    }

    /// An RFC 6962 proof as the bundle carries it: its hashes in lowercase hex.
    package static func json(of path: [MerkleHash]) -> JSONValue { .array(path.map { .string($0.hex) }) }

    /// The hashes of a proof in a bundle; nil unless it is an array of at most `limit` hashes,
    /// each 64 lowercase hex digits (a proof of a tree of 2^63 leaves has at most 63).
    package static func path(_ value: JSONValue?, limit: Int = 128) -> [MerkleHash]? {
        guard case .array(let items)? = value, items.count <= limit else { return nil }
        let hashes = items.map { $0.stringValue.flatMap(MerkleHash.init(hex:)) }
        return hashes.contains(nil) ? nil : hashes.compactMap { $0 }
    }

    /// The member `key` of `value` when it is a whole number that fits in `Int64`.
    package static func integer(_ key: String, in value: JSONValue) -> Int64? {
        guard case .number(let n)? = value[key] else { return nil }
        return Int64(exactly: n)
    }

    /// The global-log line of an event: what a version 1 checkpoint digest folds in.
    package static func logEntry(_ event: EventEnvelope) -> String {
        "\(event.position)|\(event.stream.rawValue)|\(event.version)|\(event.hash)"
    }

    /// A global-log line as an envelope carrying only position, stream, version and hash, so the
    /// digest is folded by the store's own ``GlobalDigest``. Nil when the line is not canonical.
    package static func logEnvelope(_ line: String) -> EventEnvelope? {
        let parts = line.split(separator: "|", omittingEmptySubsequences: false)
        guard parts.count == 4, let position = Int64(parts[0]), let version = Int64(parts[2]) else { return nil }
        let envelope = EventEnvelope(
            position: position, stream: StreamID(rawValue: String(parts[1])), version: version, id: zeroID, type: "",
            schemaVersion: 1, data: .null, accountID: zeroID, actor: .service(""), requestMetadata: .none, reason: nil,
            recordedAt: Date(timeIntervalSince1970: 0), prevHash: "", hash: String(parts[3]))
        return logEntry(envelope) == line ? envelope : nil
    }

    /// The `position` member of an event or checkpoint as written in a bundle: nil unless it is a
    /// whole number that fits in `Int64`. A bundle is untrusted input, so a position such as
    /// `1e300`, `-1e19` or `2.5` is refused here rather than converted (which would trap).
    package static func position(in value: JSONValue) -> Int64? { integer("position", in: value) }

    private static let zeroID = UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0))

    /// Line 2: the signature over line 1 and the key that made it.
    package static func signatureLine(signature: String, publicKey: String) -> [UInt8] {
        CanonicalJSON.bytes(["public_key": .string(publicKey), "signature": .string(signature)])
    }

    /// The project stream a `--project` value names: a UUID or `project-<uuid>`.
    package static func projectID(_ text: String) throws -> UUID {
        let bare = text.hasPrefix("project-") ? String(text.dropFirst("project-".count)) : text
        guard let id = UUID(uuidString: bare) else { throw AuditError(.invalidArgument, "--project must be a project id (a UUID, or project-<uuid>); got '\(text)'") }
        return id
    }
}
