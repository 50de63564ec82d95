public import ApexDomain
public import Foundation

/// The version a stream must be at for an append to go through (optimistic concurrency).
public enum ExpectedVersion: Sendable, Hashable, CustomStringConvertible {
    /// Whatever the stream's version is (no check).
    case any
    /// The stream must not exist yet.
    case noStream
    /// The stream must be at exactly this version (its last event's version).
    case exact(Int64)

    /// Whether a stream at `actual` (0: no stream) satisfies the expectation.
    public func isSatisfied(by actual: Int64) -> Bool {
        switch self {
        case .any: true
        case .noStream: actual == 0
        case .exact(let v): actual == v
        }
    }

    /// `any`, `no stream`, or the version.
    public var description: String {
        switch self {
        case .any: "any"
        case .noStream: "no stream"
        case .exact(let v): "version \(v)"
        }
    }
}

/// What an append wrote (or, for a repeated event id, what the first append wrote).
public struct AppendResult: Sendable, Hashable {
    /// The stream.
    public var stream: StreamID
    /// The appended events, opened (plaintext personal data), with positions and hashes.
    public var events: [EventEnvelope]
    /// The stream's version after the append: the expected version for the next one.
    public var nextExpectedVersion: Int64
    /// Whether nothing was written because these event ids were appended before.
    public var wasDuplicate: Bool

    /// The last event's global position.
    public var lastPosition: Int64 { events.last?.position ?? 0 }

    /// A result.
    public init(stream: StreamID, events: [EventEnvelope], nextExpectedVersion: Int64, wasDuplicate: Bool) {
        self.stream = stream
        self.events = events
        self.nextExpectedVersion = nextExpectedVersion
        self.wasDuplicate = wasDuplicate
    }
}

/// Whether reads open personal data or return it as stored.
public enum ReadMode: Sendable, Hashable {
    /// Personal values in plaintext, or erased where their key is gone.
    case opened
    /// Personal values sealed, exactly as stored and hashed (for verification and backups).
    case stored
}

/// An append-only, optimistically concurrent, tamper-evident event store.
///
/// Every adapter (``SQLiteEventStore``, ``PostgresEventStore``, ``InMemoryEventStore``) passes
/// the same conformance suite. Writes to one stream are serialized by the expected version;
/// the global order (`EventEnvelope.position`) is gap-safe: a reader in position order never
/// skips an event that commits later.
///
/// ```swift
/// try await EventStores.withStore(url: "sqlite:./apex-data/apex.sqlite") { store in
///     let result = try await store.append([event], to: .project(id), expected: .noStream)
///     let events = try await store.readStream(.project(id))
/// }
/// ```
public protocol EventStore: Sendable {
    /// The database the log lives in, lent to features for tables of their own
    /// (``FeatureDatabase``); ``FeatureDatabase/none`` for a store without one.
    var featureDatabase: FeatureDatabase { get }

    /// Appends `events` to `stream` in one transaction, all or none.
    ///
    /// Throws ``EventStoreError/Code/versionConflict`` (with the actual version) when the stream
    /// is not at `expected`. Appending event ids that exist already returns the first result and
    /// writes nothing.
    func append(_ events: [ProposedEvent], to stream: StreamID, expected: ExpectedVersion) async throws -> AppendResult

    /// Events of `stream` from `version` (1-based, inclusive), at most `limit`.
    func readStream(_ stream: StreamID, from version: Int64, limit: Int, mode: ReadMode) async throws -> [EventEnvelope]

    /// Events of every stream with a position after `position`, in position order, at most `limit`.
    func readAll(after position: Int64, limit: Int, mode: ReadMode) async throws -> [EventEnvelope]

    /// Events of one account (tenant), every stream, with a position after `position`, in order.
    func readAccount(_ account: UUID, after position: Int64, limit: Int, mode: ReadMode) async throws -> [EventEnvelope]

    /// The stream's version (0 when it does not exist).
    func streamVersion(_ stream: StreamID) async throws -> Int64

    /// The heads of all streams: version and last hash, by stream.
    func streamHeads() async throws -> [StreamID: StreamHead]

    /// The highest committed position (0 when empty).
    func headPosition() async throws -> Int64

    /// Waits until an event after `position` may exist, or `timeout` passes.
    func waitForAppend(after position: Int64, timeout: Duration) async throws

    /// Appends a signed checkpoint row (used by ``EventStore/sealCheckpoint(signer:now:)``).
    func insertCheckpoint(_ checkpoint: Checkpoint) async throws

    /// All checkpoints, in position order.
    func checkpoints() async throws -> [Checkpoint]

    /// Deletes the keys of these data subjects: their personal values read as erased from now on.
    /// Returns how many keys were deleted.
    @discardableResult
    func deleteKeys(_ subjects: [String]) async throws -> Int

    /// The subjects that have keys, optionally only those starting with `prefix`.
    func keySubjects(prefix: String) async throws -> [String]

    /// Recomputes every read model of `projection` from the whole log.
    func rebuildProjection(_ projection: any Projection) async throws

    /// The documents of `projection` in `partition` (e.g. an account), by key.
    func projectionDocuments(_ projection: any Projection, partition: String) async throws -> [String: JSONValue]

    /// At most `limit` documents of `projection` in `partition` whose keys sort after `key` (from
    /// the first when nil), in the database's order of keys: a page, so that a reader of every
    /// document (an export) holds one page at a time. The next page starts after the last key
    /// returned; a document written meanwhile is seen or not, never twice.
    func projectionDocuments(_ projection: any Projection, partition: String, after key: String?, limit: Int) async throws -> [ProjectionDocument]

    /// Appends events exactly as stored elsewhere (a backup's segments): positions, versions and
    /// hashes are kept, and each event must continue the log and its stream's chain (the hash is
    /// recomputed). Throws ``EventStoreError/Code/integrityFailure`` otherwise; all or none.
    func importStored(_ events: [EventEnvelope]) async throws

    /// Keeps `snapshot` as its stream's snapshot, unless the one kept is newer: of a later domain
    /// version, or of the same one at a later version. Snapshots are a cache beside the log, not
    /// part of it (see ``StateSnapshot``).
    func saveSnapshot(_ snapshot: StateSnapshot) async throws

    /// The snapshot kept for `stream`, if any, whatever its domain version.
    func loadSnapshot(_ stream: StreamID) async throws -> StateSnapshot?

    /// Every snapshot kept, by stream.
    func snapshots() async throws -> [StateSnapshot]

    /// Deletes every snapshot; returns how many there were. Processes then fold from the log.
    @discardableResult
    func deleteSnapshots() async throws -> Int

    /// Every consumer's saved position (see ``LogConsumer``), by name.
    func consumerPositions() async throws -> [ConsumerPosition]

    /// Saves consumer `name`'s position as `position` if it is at `expected` (a consumer with
    /// no saved position is at 0), and clears its last error. Returns false, writing nothing,
    /// when it is elsewhere: someone else advanced or reset it, so two runners never both move it.
    func advanceConsumer(_ name: String, to position: Int64, from expected: Int64) async throws -> Bool

    /// Records why consumer `name`'s last attempt failed (cut to 2,000 characters), leaving its position.
    func recordConsumerError(_ name: String, _ message: String) async throws

    /// Sets consumer `name` back to position 0 with no error, so that it replays the whole log
    /// (`apex-cli projections rebuild NAME`). A running runner notices within its idle wait.
    func resetConsumer(_ name: String) async throws

    /// Runs `body` while holding the claim on consumer `name`, or returns nil at once, without
    /// running it, when someone else holds it: of many runners (many server instances on one
    /// PostgreSQL, where it is a session advisory lock), exactly one runs each consumer. On
    /// SQLite and in memory the claim is held in the process. On PostgreSQL, losing the claim's
    /// connection cancels `body` and throws ``EventStoreError/Code/unavailable``.
    func withConsumerClaim<T: Sendable>(_ name: String, _ body: @escaping @Sendable () async throws -> T) async throws -> T?

    /// Releases connections and files.
    func close() async throws
}

/// A stream's last version and hash.
public struct StreamHead: Sendable, Hashable {
    /// The last version.
    public var version: Int64
    /// The last event's hash.
    public var hash: String

    /// A head.
    public init(version: Int64, hash: String) {
        self.version = version
        self.hash = hash
    }
}

extension EventStore {
    /// The whole stream, or its events from `version`, opened.
    public func readStream(_ stream: StreamID, from version: Int64 = 1) async throws -> [EventEnvelope] {
        try await readStream(stream, from: version, limit: Int.max, mode: .opened)
    }

    /// A page of the global log after `position`, opened.
    public func readAll(after position: Int64 = 0, limit: Int = 1000) async throws -> [EventEnvelope] {
        try await readAll(after: position, limit: limit, mode: .opened)
    }

    /// Every event after `position` as it commits: catch-up first, then live.
    public func subscribe(after position: Int64 = 0, pageSize: Int = 500) -> EventSubscription {
        EventSubscription(store: self, after: position, pageSize: pageSize)
    }

    /// Erases one data subject (e.g. `user:<uuid>`) by deleting its key.
    public func eraseSubject(_ subject: String) async throws {
        try await deleteKeys([subject])
    }

    /// Erases a user of `account`: deletes the key of their identity fields (name, email) and
    /// the keys of their own requests' metadata (IP address, user agent, forwarding headers),
    /// so all of it reads as erased from now on. The events and their hashes stay as they are.
    /// Returns how many keys were deleted (0 when done already: it may be repeated).
    @discardableResult
    public func eraseUser(_ user: UUID, account: UUID) async throws -> Int {
        let suffix = ":" + user.lowercased
        let metadata = try await keySubjects(prefix: "meta:\(account.lowercased):").filter { $0.hasSuffix(suffix) }
        return try await deleteKeys([DataSubject.user(user.lowercased)] + metadata)
    }

    /// Deletes the request-metadata keys of every calendar month that ended before `date`
    /// (optionally for one account). Returns how many keys were deleted.
    @discardableResult
    public func expireRequestMetadata(before date: Date, account: UUID? = nil) async throws -> Int {
        let prefix = "meta:" + (account.map { $0.lowercased + ":" } ?? "")
        let cutoff = String(Timestamp.format(date).prefix(7))
        let expired = try await keySubjects(prefix: prefix).filter { subject in
            guard let month = Sealer.metadataMonth(of: subject) else { return false }
            return month < cutoff
        }
        return try await deleteKeys(expired)
    }
}
