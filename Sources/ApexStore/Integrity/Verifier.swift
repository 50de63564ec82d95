public import ApexDomain
import Foundation

/// The first thing `verify` found wrong.
public struct VerifyFailure: Sendable, Hashable, Codable, CustomStringConvertible {
    /// What kind of mismatch: `hash_mismatch`, `chain_broken`, `version_gap`, `position_gap`,
    /// `checkpoint_digest`, `checkpoint_signature`, `missing_events`, `head_mismatch`, `replay_failed`.
    public var kind: String
    /// The stream, where one is concerned.
    public var stream: String?
    /// The stream version.
    public var version: Int64?
    /// The global position.
    public var position: Int64?
    /// What differs, for a person.
    public var message: String

    /// A failure.
    public init(kind: String, stream: String? = nil, version: Int64? = nil, position: Int64? = nil, message: String) {
        self.kind = kind
        self.stream = stream
        self.version = version
        self.position = position
        self.message = message
    }

    /// One line naming the place and the difference.
    public var description: String {
        var place: [String] = []
        if let stream { place.append("stream \(stream)") }
        if let version { place.append("version \(version)") }
        if let position { place.append("position \(position)") }
        return "\(kind) at \(place.joined(separator: ", ")): \(message)"
    }
}

/// What `verify` checked and found.
public struct VerifyReport: Sendable, Hashable, Codable {
    /// True when nothing was wrong.
    public var ok: Bool
    /// Events whose hash was recomputed.
    public var eventsChecked: Int64
    /// Streams seen.
    public var streamsChecked: Int
    /// Checkpoints whose digest and signature were checked.
    public var checkpointsChecked: Int
    /// The first mismatch, if any.
    public var firstFailure: VerifyFailure?

    enum CodingKeys: String, CodingKey {
        case ok
        case eventsChecked = "events_checked"
        case streamsChecked = "streams_checked"
        case checkpointsChecked = "checkpoints_checked"
        case firstFailure = "first_failure"
    }

    /// Encodes every field; `first_failure` is `null` when nothing failed.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(ok, forKey: .ok)
        try c.encode(eventsChecked, forKey: .eventsChecked)
        try c.encode(streamsChecked, forKey: .streamsChecked)
        try c.encode(checkpointsChecked, forKey: .checkpointsChecked)
        try c.encode(firstFailure, forKey: .firstFailure)
    }
}

/// Options for ``EventStore/verify(options:progress:)``.
public struct VerifyOptions: Sendable {
    /// Only checkpoints signed by this public key (base64) count as valid; nil trusts the embedded key.
    public var trustedPublicKey: String?
    /// Events read per page.
    public var pageSize = 2000
    /// Called for every event in position order (stored form), e.g. to replay streams; a thrown
    /// error becomes a `replay_failed` failure.
    public var inspect: (@Sendable (EventEnvelope) throws -> Void)?

    /// Options.
    public init(trustedPublicKey: String? = nil, pageSize: Int = 2000, inspect: (@Sendable (EventEnvelope) throws -> Void)? = nil) {
        self.trustedPublicKey = trustedPublicKey
        self.pageSize = pageSize
        self.inspect = inspect
    }
}

extension EventStore {
    /// Streams through the whole store and recomputes everything: every hash and chain link,
    /// gap-free versions and positions, every checkpoint's digest and signature, and each stream
    /// head. Memory grows with the number of streams, not events (two pages are held: the next
    /// one is read while this one is checked). `progress` gets the number of events checked so
    /// far, after every page.
    public func verify(options: VerifyOptions = VerifyOptions(), progress: (@Sendable (Int64) -> Void)? = nil) async throws -> VerifyReport {
        var checker = VerifyState(checkpoints: try await checkpoints(), trusted: options.trustedPublicKey, inspect: options.inspect)
        // The next page is read while this one is checked: reading and hashing overlap.
        var page = try await storedRows(after: 0, limit: options.pageSize)
        while checker.failure == nil, let last = page.last {
            async let following = storedRows(after: last.position, limit: options.pageSize)
            // Each row's own check (canonical texts that hash to its hash) needs no other row,
            // so it is spread over the cores; the chain and the digest then run in order.
            let hashedAsStored = try page.parallelMap(minimumChunk: 256) { $0.hashesAsStored }
            // By index: iterating the rows would copy each (a retain of every text).
            for i in page.indices where checker.failure == nil { checker.check(page[i], hashesAsStored: hashedAsStored[i]) }
            progress?(checker.events)
            // A failure ends the walk; the page being read is cancelled with its errors.
            guard checker.failure == nil else { break }
            page = try await following
        }
        if checker.failure == nil { checker.finish(heads: try await streamHeads()) }
        return VerifyReport(
            ok: checker.failure == nil, eventsChecked: checker.events, streamsChecked: checker.heads.count,
            checkpointsChecked: checker.checkpointsChecked, firstFailure: checker.failure)
    }
}

/// The verifier's running state: pure, one event at a time.
struct VerifyState {
    var heads: [StreamID: StreamHead] = [:]
    var digest = GlobalDigest()
    var lastPosition: Int64 = 0
    var events: Int64 = 0
    var checkpoints: [Checkpoint]
    var nextCheckpoint = 0
    var checkpointsChecked = 0
    var failure: VerifyFailure?
    let trusted: String?
    let inspect: (@Sendable (EventEnvelope) throws -> Void)?

    init(checkpoints: [Checkpoint], trusted: String?, inspect: (@Sendable (EventEnvelope) throws -> Void)?) {
        self.checkpoints = checkpoints.sorted { $0.position < $1.position }
        self.trusted = trusted
        self.inspect = inspect
    }

    /// Checks one stored row, given whether it hashes as stored
    /// (``EnvelopeColumns/hashesAsStored``). Any other row is decoded and its canonical form
    /// hashed (a text that is valid but not canonical keeps its meaning and passes, as it always
    /// did; one that does not decode is a `hash_mismatch`).
    mutating func check(_ row: EnvelopeColumns, hashesAsStored: Bool) {
        let stream = StreamID(rawValue: row.stream)
        let at = { (kind: String, message: String) in
            VerifyFailure(kind: kind, stream: row.stream, version: row.version, position: row.position, message: message)
        }
        guard row.position == lastPosition + 1 else {
            failure = at("position_gap", "expected position \(lastPosition + 1) next, found \(row.position): events are missing")
            return
        }
        let head = heads[stream]
        guard row.version == (head?.version ?? 0) + 1 else {
            failure = at("version_gap", "expected version \((head?.version ?? 0) + 1) of the stream, found \(row.version)")
            return
        }
        let expectedPrev = head?.hash ?? EventHash.genesis
        guard row.prevHash == expectedPrev else {
            failure = at("chain_broken", "prev_hash is \(row.prevHash.prefix(12))…, the previous event's hash is \(expectedPrev.prefix(12))…")
            return
        }
        var envelope: EventEnvelope?
        if !hashesAsStored {
            guard let decoded = try? row.envelope() else {
                failure = at("hash_mismatch", "the stored row does not hash to its hash and does not decode: the event was altered")
                return
            }
            let recomputed = EventHash.compute(decoded, prevHash: row.prevHash)
            guard recomputed == row.hash else {
                failure = at("hash_mismatch", "stored hash \(row.hash.prefix(12))… but the content hashes to \(recomputed.prefix(12))…: the event was altered")
                return
            }
            envelope = decoded
        }
        if let inspect {
            do { try inspect(try envelope ?? row.envelope()) } catch {
                failure = at("replay_failed", "the event does not replay: \(error)")
                return
            }
        }
        heads[stream] = StreamHead(version: row.version, hash: row.hash)
        // The digest only matters up to the last checkpoint; after it nothing compares it.
        if nextCheckpoint < checkpoints.count {
            digest.add(position: row.position, stream: row.stream, version: row.version, hash: row.hash)
        }
        lastPosition = row.position
        events += 1
        while nextCheckpoint < checkpoints.count, checkpoints[nextCheckpoint].position == row.position {
            checkCheckpoint(checkpoints[nextCheckpoint])
            nextCheckpoint += 1
        }
    }

    mutating func checkCheckpoint(_ c: Checkpoint) {
        checkpointsChecked += 1
        guard c.digest == digest.hex else {
            failure = VerifyFailure(
                kind: "checkpoint_digest", position: c.position,
                message: "checkpoint sealed digest \(c.digest.prefix(12))… but the log up to it digests to \(digest.hex.prefix(12))…")
            return
        }
        guard c.hasValidSignature(trusting: trusted) else {
            failure = VerifyFailure(
                kind: "checkpoint_signature", position: c.position,
                message: trusted == nil ? "the signature does not verify" : "the signature does not verify with the trusted public key")
            return
        }
    }

    mutating func finish(heads stored: [StreamID: StreamHead]) {
        if nextCheckpoint < checkpoints.count {
            let c = checkpoints[nextCheckpoint]
            failure = VerifyFailure(
                kind: "missing_events", position: c.position,
                message: "a checkpoint covers position \(c.position) but the log ends at \(lastPosition): events were deleted")
            return
        }
        for (stream, head) in stored.sorted(by: { $0.key < $1.key }) where heads[stream] != head {
            let seen = heads[stream]?.version ?? 0
            failure = VerifyFailure(
                kind: "head_mismatch", stream: stream.rawValue, version: head.version,
                message: "the stream head records version \(head.version) but the log holds \(seen) events of it")
            return
        }
        if let extra = heads.keys.sorted().first(where: { stored[$0] == nil }) {
            failure = VerifyFailure(kind: "head_mismatch", stream: extra.rawValue, message: "the log holds a stream that has no head record")
        }
    }
}
