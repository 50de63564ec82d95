public import ApexDomain
public import Foundation

/// A stream's folded state at a version, kept so that a cold process starts from it instead of
/// the stream's first event.
///
/// A snapshot is a cache, never the truth: it is not part of the append-only, hash-chained log,
/// may be replaced or deleted at any time, and `verify` replays the log and names any snapshot
/// that differs (`snapshot_mismatch`). A store keeps one per stream, the newest: see
/// ``EventStore/saveSnapshot(_:)``.
public struct StateSnapshot: Sendable, Hashable {
    /// The stream.
    public var stream: StreamID
    /// The stream version the state reflects.
    public var version: Int64
    /// ``ApexDomain/ProjectState/domainVersion`` of the process that folded it.
    public var domainVersion: Int
    /// The calculation engine version of that process (``ApexDomain/CalculationEngine/version``), for people.
    public var engineVersion: String
    /// The state as canonical JSON.
    public var state: String
    /// The state's hash as the folding process computed it (``ApexDomain/ProjectState/stateHash``).
    public var stateHash: String
    /// When it was written.
    public var createdAt: Date

    /// A snapshot.
    public init(
        stream: StreamID, version: Int64, domainVersion: Int, engineVersion: String, state: String, stateHash: String, createdAt: Date = Date()
    ) {
        self.stream = stream
        self.version = version
        self.domainVersion = domainVersion
        self.engineVersion = engineVersion
        self.state = state
        self.stateHash = stateHash
        self.createdAt = createdAt
    }

    /// Whether a store keeps `self` over `held`, the snapshot it has for the stream: a later
    /// domain version, or the same one at a version no older.
    func supersedes(_ held: StateSnapshot) -> Bool {
        (domainVersion, version) >= (held.domainVersion, held.version)
    }
}
