public import ApexDomain
import Crypto
public import Foundation

/// An event store in memory: for embedding in tests and previews, never for data that matters.
///
/// It keeps every guarantee of the other adapters (optimistic concurrency, idempotency, atomic
/// batches, hash chains, sealing, projections) and passes the same conformance suite; only
/// durability is missing.
public actor InMemoryEventStore: EventStore {
    private var log: [EventEnvelope] = []
    private var streamIndex: [StreamID: [Int]] = [:]
    private var heads: [StreamID: StreamHead] = [:]
    private var idIndex: [UUID: Int] = [:]
    private var keys: [String: SymmetricKey] = [:]
    private var sealed: [Checkpoint] = []
    private var documents: [String: JSONValue] = [:]
    private var projectionPositions: [String: Int64] = [:]
    private var kept: [StreamID: StateSnapshot] = [:]
    private var consumers: [String: ConsumerPosition] = [:]
    private let claims = ConsumerClaims()
    private let projections: [any Projection]
    private let clock: @Sendable () -> Date
    private let signal = AppendSignal()

    /// An empty store with these inline projections; `clock` stamps `recorded_at`.
    public init(projections: [any Projection] = [], clock: @escaping @Sendable () -> Date = { Date() }) {
        self.projections = projections
        self.clock = clock
    }

    /// Appends atomically (see ``EventStore/append(_:to:expected:)``).
    public func append(_ events: [ProposedEvent], to stream: StreamID, expected: ExpectedVersion) throws -> AppendResult {
        try AppendPlanner.validate(events, to: stream)
        let head = heads[stream]
        let existing = events.compactMap { idIndex[$0.id].map { log[$0] } }
        if let duplicate = try AppendPlanner.duplicateResult(events, existing: existing, stream: stream, streamVersion: head?.version ?? 0) {
            return AppendResult(stream: stream, events: duplicate.events.map(open), nextExpectedVersion: duplicate.nextExpectedVersion, wasDuplicate: true)
        }
        guard expected.isSatisfied(by: head?.version ?? 0) else {
            throw EventStoreError.conflict(stream, expected: expected, actual: head?.version ?? 0)
        }
        let drafts = AppendPlanner.envelopes(events, stream: stream, head: head, firstPosition: Int64(log.count) + 1, recordedAt: clock())
        var newKeys = keys
        for subject in AppendPlanner.subjects(of: drafts) where newKeys[subject] == nil { newKeys[subject] = Sealer.newKey() }
        let (stored, opened, _) = try AppendPlanner.seal(drafts, head: head, keys: newKeys)
        var docs = documents
        try ProjectionApplier.apply(
            stored, projections: projections, load: { docs[Self.docKey($0, $1, $2)] },
            save: { docs[Self.docKey($0, $1, $2)] = $3 })
        keys = newKeys
        documents = docs
        for projection in projections { projectionPositions[projection.name] = stored.last!.position }
        for event in stored {
            idIndex[event.id] = log.count
            streamIndex[stream, default: []].append(log.count)
            log.append(event)
        }
        heads[stream] = StreamHead(version: stored.last!.version, hash: stored.last!.hash)
        signal.signal(head: Int64(log.count))
        return AppendResult(stream: stream, events: opened, nextExpectedVersion: stored.last!.version, wasDuplicate: false)
    }

    /// Events of a stream from a version.
    public func readStream(_ stream: StreamID, from version: Int64, limit: Int, mode: ReadMode) -> [EventEnvelope] {
        let indexes = streamIndex[stream] ?? []
        let start = max(0, Int(version) - 1)
        guard start < indexes.count else { return [] }
        let slice = indexes[start..<min(indexes.count, start + min(limit, indexes.count))]
        return slice.map { mode == .opened ? open(log[$0]) : log[$0] }
    }

    /// A page of the global log.
    public func readAll(after position: Int64, limit: Int, mode: ReadMode) -> [EventEnvelope] {
        let start = Int(max(0, position))
        guard start < log.count else { return [] }
        return log[start..<min(log.count, start + limit)].map { mode == .opened ? open($0) : $0 }
    }

    /// A page of one account's events.
    public func readAccount(_ account: UUID, after position: Int64, limit: Int, mode: ReadMode) -> [EventEnvelope] {
        let start = Int(max(0, position))
        guard start < log.count else { return [] }
        return log[start...].lazy.filter { $0.accountID == account }.prefix(limit).map { mode == .opened ? open($0) : $0 }
    }

    /// The stream's version.
    public func streamVersion(_ stream: StreamID) -> Int64 { heads[stream]?.version ?? 0 }
    /// All stream heads.
    public func streamHeads() -> [StreamID: StreamHead] { heads }
    /// The last position.
    public func headPosition() -> Int64 { Int64(log.count) }

    /// Waits in-process for an append.
    public nonisolated func waitForAppend(after position: Int64, timeout: Duration) async throws {
        await signal.wait(after: position, timeout: timeout)
    }

    /// Adds a checkpoint.
    public func insertCheckpoint(_ checkpoint: Checkpoint) throws {
        guard !sealed.contains(where: { $0.position == checkpoint.position && $0.version == checkpoint.version }) else {
            throw EventStoreError(.invalidEvent, "a version \(checkpoint.version) checkpoint at position \(checkpoint.position) exists already")
        }
        sealed.append(checkpoint)
        sealed.sort { ($0.position, $0.version) < ($1.position, $1.version) }
    }

    /// All checkpoints.
    public func checkpoints() -> [Checkpoint] { sealed }

    /// Deletes keys.
    public func deleteKeys(_ subjects: [String]) -> Int {
        subjects.reduce(0) { count, s in keys.removeValue(forKey: s) == nil ? count : count + 1 }
    }

    /// Subjects with keys.
    public func keySubjects(prefix: String) -> [String] { keys.keys.filter { $0.hasPrefix(prefix) }.sorted() }

    /// Folds the events after the projection's position (all of them when it has none).
    private func catchUp(_ projection: any Projection) throws {
        guard let position = projectionPositions[projection.name] else { return try rebuildProjection(projection) }
        var docs = documents
        try ProjectionApplier.apply(
            Array(log[Int(position)...]), projections: [projection], load: { docs[Self.docKey($0, $1, $2)] },
            save: { docs[Self.docKey($0, $1, $2)] = $3 })
        documents = docs
        projectionPositions[projection.name] = Int64(log.count)
    }

    /// Rebuilds a projection from the whole log.
    public func rebuildProjection(_ projection: any Projection) throws {
        defer { projectionPositions[projection.name] = Int64(log.count) }
        var docs = documents.filter { !$0.key.hasPrefix(projection.name + "\u{0}") }
        try ProjectionApplier.apply(
            log, projections: [projection], load: { docs[Self.docKey($0, $1, $2)] }, save: { docs[Self.docKey($0, $1, $2)] = $3 })
        documents = docs
    }

    /// A projection's documents in a partition.
    public func projectionDocuments(_ projection: any Projection, partition: String) throws -> [String: JSONValue] {
        if projectionPositions[projection.name] != Int64(log.count) { try catchUp(projection) }
        let prefix = projection.name + "\u{0}" + partition + "\u{0}"
        var result: [String: JSONValue] = [:]
        for (k, v) in documents where k.hasPrefix(prefix) { result[String(k.dropFirst(prefix.count))] = v }
        return result
    }

    /// A page of a projection's documents in a partition, in key order.
    public func projectionDocuments(_ projection: any Projection, partition: String, after key: String?, limit: Int) throws -> [ProjectionDocument] {
        let all = try projectionDocuments(projection, partition: partition)
        return all.keys.sorted().lazy.filter { key == nil || $0 > key! }.prefix(max(0, limit)).map { ProjectionDocument(key: $0, document: all[$0]!) }
    }

    /// Imports stored events (see ``EventStore/importStored(_:)``).
    public func importStored(_ events: [EventEnvelope]) throws {
        guard !events.isEmpty else { return }
        let newHeads = try AppendPlanner.checkImport(events, head: Int64(log.count)) { heads[$0] }
        var docs = documents
        try ProjectionApplier.apply(
            events, projections: projections, load: { docs[Self.docKey($0, $1, $2)] }, save: { docs[Self.docKey($0, $1, $2)] = $3 })
        documents = docs
        for projection in projections { projectionPositions[projection.name] = events.last!.position }
        for event in events {
            idIndex[event.id] = log.count
            streamIndex[event.stream, default: []].append(log.count)
            log.append(event)
        }
        heads.merge(newHeads) { $1 }
        signal.signal(head: Int64(log.count))
    }

    /// Keeps the snapshot unless a newer one is kept.
    public func saveSnapshot(_ snapshot: StateSnapshot) {
        if let held = kept[snapshot.stream], !snapshot.supersedes(held) { return }
        kept[snapshot.stream] = snapshot
    }

    /// The stream's snapshot.
    public func loadSnapshot(_ stream: StreamID) -> StateSnapshot? { kept[stream] }

    /// All snapshots, by stream.
    public func snapshots() -> [StateSnapshot] { kept.values.sorted { $0.stream < $1.stream } }

    /// Deletes every snapshot.
    public func deleteSnapshots() -> Int {
        defer { kept = [:] }
        return kept.count
    }

    /// Every consumer's saved position.
    public func consumerPositions() -> [ConsumerPosition] { consumers.values.sorted { $0.name < $1.name } }

    /// Compare-and-set of a consumer's position.
    public func advanceConsumer(_ name: String, to position: Int64, from expected: Int64) -> Bool {
        guard (consumers[name]?.position ?? 0) == expected else { return false }
        consumers[name] = ConsumerPosition(name: name, position: position, updatedAt: Date())
        return true
    }

    /// Records a consumer's last error.
    public func recordConsumerError(_ name: String, _ message: String) {
        var saved = consumers[name] ?? ConsumerPosition(name: name, position: 0, updatedAt: Date())
        saved.lastError = ConsumerPosition.clipped(message)
        saved.lastErrorAt = Date()
        consumers[name] = saved
    }

    /// Sets a consumer back to 0.
    public func resetConsumer(_ name: String) {
        consumers[name] = ConsumerPosition(name: name, position: 0, updatedAt: Date())
    }

    /// Holds the claim in this store.
    public nonisolated func withConsumerClaim<T: Sendable>(_ name: String, _ body: @escaping @Sendable () async throws -> T) async throws -> T? {
        try await claims.with(name, body)
    }

    /// Nothing to release.
    public func close() {}

    private func open(_ e: EventEnvelope) -> EventEnvelope { Sealer.open(e, keys: keys) }

    private static func docKey(_ projection: String, _ partition: String, _ key: String) -> String {
        projection + "\u{0}" + partition + "\u{0}" + key
    }
}

extension InMemoryEventStore {
    /// No database: features keep their state in memory (``FeatureDatabase/none``).
    public nonisolated var featureDatabase: FeatureDatabase { .none }
}
