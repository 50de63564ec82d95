public import ApexDomain
import Foundation

/// One thing `verify` found wrong.
public struct VerifyFailure: Sendable, Hashable, Codable, CustomStringConvertible {
    /// What kind of mismatch: `hash_mismatch`, `chain_broken`, `version_gap`, `position_gap`,
    /// `checkpoint_digest`, `checkpoint_signature`, `missing_events`, `head_mismatch`, `replay_failed`,
    /// `snapshot_mismatch` (a persisted snapshot differs from the replay: the log may be intact).
    public var kind: String
    /// The stream, where one is concerned.
    public var stream: String?
    /// The stream version.
    public var version: Int64?
    /// The global position (of the event, or of the checkpoint).
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

    /// Whether it concerns a checkpoint rather than an event or a stream.
    public var isCheckpointFailure: Bool { ["checkpoint_digest", "checkpoint_signature", "checkpoint_inclusion", "missing_events"].contains(kind) }

    /// Whether it concerns a persisted snapshot (a cache that can be dropped) rather than the log.
    public var isSnapshotFailure: Bool { kind == "snapshot_mismatch" }

    /// One line naming the place and the difference.
    public var description: String {
        var place: [String] = []
        if isCheckpointFailure, let position { place.append("checkpoint at position \(position)") }
        if let stream { place.append("stream \(stream)") }
        if let version { place.append("version \(version)") }
        if !isCheckpointFailure, let position { place.append("position \(position)") }
        return "\(kind) at \(place.joined(separator: ", ")): \(message)"
    }
}

/// What `verify` checked and found. It checks everything, whatever it finds: ``failures`` lists
/// the first ``VerifyOptions/maximumFailures`` in log order (stream heads last), and the counts
/// cover all of them.
public struct VerifyReport: Sendable, Hashable, Codable {
    /// What was verified: the whole store, or one account's streams.
    public enum Scope: String, Sendable, Hashable, Codable {
        /// Every event, stream head and checkpoint of the store (`apex-cli verify`).
        case store
        /// One account's streams (its account stream and its projects' streams) and their heads.
        case account
    }

    /// True when nothing was wrong.
    public var ok: Bool { failureCount == 0 }
    /// What was verified.
    public var scope: Scope
    /// Events whose hash was recomputed.
    public var eventsChecked: Int64
    /// Streams seen.
    public var streamsChecked: Int
    /// Checkpoints whose digest and signature were checked.
    public var checkpointsChecked: Int
    /// Every failure found (``failures`` may list fewer).
    public var failureCount: Int64
    /// Streams with at least one failure.
    public var streamsFailed: Int
    /// Checkpoints that failed (digest, signature, or covering events that are gone).
    public var checkpointsFailed: Int
    /// The failures, in log order, at most ``VerifyOptions/maximumFailures`` of them.
    public var failures: [VerifyFailure]
    /// The first failure, if any.
    public var firstFailure: VerifyFailure? { failures.first }

    /// A report.
    public init(
        scope: Scope, eventsChecked: Int64, streamsChecked: Int, checkpointsChecked: Int, failureCount: Int64 = 0, streamsFailed: Int = 0,
        checkpointsFailed: Int = 0, failures: [VerifyFailure] = []
    ) {
        self.scope = scope
        self.eventsChecked = eventsChecked
        self.streamsChecked = streamsChecked
        self.checkpointsChecked = checkpointsChecked
        self.failureCount = failureCount
        self.streamsFailed = streamsFailed
        self.checkpointsFailed = checkpointsFailed
        self.failures = failures
    }

    enum CodingKeys: String, CodingKey {
        case ok, scope, failures
        case eventsChecked = "events_checked"
        case streamsChecked = "streams_checked"
        case checkpointsChecked = "checkpoints_checked"
        case failureCount = "failures_total"
        case streamsFailed = "streams_failed"
        case checkpointsFailed = "checkpoints_failed"
        case firstFailure = "first_failure"
    }

    /// Reads a report as ``encode(to:)`` writes it (`ok` and `first_failure` follow from the rest).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            scope: try c.decodeIfPresent(Scope.self, forKey: .scope) ?? .store, eventsChecked: try c.decode(Int64.self, forKey: .eventsChecked),
            streamsChecked: try c.decode(Int.self, forKey: .streamsChecked), checkpointsChecked: try c.decode(Int.self, forKey: .checkpointsChecked),
            failureCount: try c.decodeIfPresent(Int64.self, forKey: .failureCount) ?? 0,
            streamsFailed: try c.decodeIfPresent(Int.self, forKey: .streamsFailed) ?? 0,
            checkpointsFailed: try c.decodeIfPresent(Int.self, forKey: .checkpointsFailed) ?? 0,
            failures: try c.decodeIfPresent([VerifyFailure].self, forKey: .failures) ?? [])
    }

    /// Encodes every field; `first_failure` (the first of `failures`) is `null` when nothing failed.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(ok, forKey: .ok)
        try c.encode(scope, forKey: .scope)
        try c.encode(eventsChecked, forKey: .eventsChecked)
        try c.encode(streamsChecked, forKey: .streamsChecked)
        try c.encode(checkpointsChecked, forKey: .checkpointsChecked)
        try c.encode(failureCount, forKey: .failureCount)
        try c.encode(streamsFailed, forKey: .streamsFailed)
        try c.encode(checkpointsFailed, forKey: .checkpointsFailed)
        try c.encode(failures, forKey: .failures)
        try c.encode(firstFailure, forKey: .firstFailure)
    }
}

/// Options for ``EventStore/verify(options:progress:)``.
public struct VerifyOptions: Sendable {
    /// Only checkpoints signed by this public key (base64) count as valid; nil trusts the embedded key.
    public var trustedPublicKey: String?
    /// Events read per page.
    public var pageSize = 2000
    /// How many failures the report lists (all are counted).
    public var maximumFailures = 100
    /// Called for every event in position order (stored form), e.g. to replay streams; a thrown
    /// error becomes a `replay_failed` failure.
    public var inspect: (@Sendable (EventEnvelope) throws -> Void)?

    /// Options.
    public init(
        trustedPublicKey: String? = nil, pageSize: Int = 2000, maximumFailures: Int = 100, inspect: (@Sendable (EventEnvelope) throws -> Void)? = nil
    ) {
        self.trustedPublicKey = trustedPublicKey
        self.pageSize = pageSize
        self.maximumFailures = maximumFailures
        self.inspect = inspect
    }
}
