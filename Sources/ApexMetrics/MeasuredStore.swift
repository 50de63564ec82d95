public import ApexDomain
public import ApexStore
public import Foundation

/// An ``EventStore`` that forwards everything to `base` and records each append's outcome and
/// latency in ``ApexMetrics`` (store side: the time the store took, not the request's).
public final class MeasuredStore: EventStore {
    /// The store measured.
    public let base: any EventStore
    let metrics: ApexMetrics

    /// `base`, its appends recorded in `metrics`.
    public init(_ base: any EventStore, metrics: ApexMetrics) {
        self.base = base
        self.metrics = metrics
    }

    /// The base store's tables for features.
    public var featureDatabase: FeatureDatabase { base.featureDatabase }

    /// Appends through the base store, timing it.
    public func append(_ events: [ProposedEvent], to stream: StreamID, expected: ExpectedVersion) async throws -> AppendResult {
        let clock = ContinuousClock()
        let start = clock.now
        do {
            let result = try await base.append(events, to: stream, expected: expected)
            metrics.recordAppend(events: result.wasDuplicate ? 0 : events.count, outcome: .ok, duration: clock.now - start)
            return result
        } catch let error as EventStoreError where error.code == .versionConflict {
            metrics.recordAppend(events: 0, outcome: .conflict, duration: clock.now - start)
            throw error
        } catch {
            metrics.recordAppend(events: 0, outcome: .error, duration: clock.now - start)
            throw error
        }
    }

    /// Forwarded.
    public func readStream(_ stream: StreamID, from version: Int64, limit: Int, mode: ReadMode) async throws -> [EventEnvelope] {
        try await base.readStream(stream, from: version, limit: limit, mode: mode)
    }
    /// Forwarded.
    public func readAll(after position: Int64, limit: Int, mode: ReadMode) async throws -> [EventEnvelope] {
        try await base.readAll(after: position, limit: limit, mode: mode)
    }
    /// Forwarded.
    public func readAccount(_ account: UUID, after position: Int64, limit: Int, mode: ReadMode) async throws -> [EventEnvelope] {
        try await base.readAccount(account, after: position, limit: limit, mode: mode)
    }
    /// Forwarded.
    public func streamVersion(_ stream: StreamID) async throws -> Int64 { try await base.streamVersion(stream) }
    /// Forwarded.
    public func streamHeads() async throws -> [StreamID: StreamHead] { try await base.streamHeads() }
    /// Forwarded.
    public func headPosition() async throws -> Int64 { try await base.headPosition() }
    /// Forwarded.
    public func waitForAppend(after position: Int64, timeout: Duration) async throws { try await base.waitForAppend(after: position, timeout: timeout) }
    /// Forwarded.
    public func insertCheckpoint(_ checkpoint: Checkpoint) async throws { try await base.insertCheckpoint(checkpoint) }
    /// Forwarded.
    public func checkpoints() async throws -> [Checkpoint] { try await base.checkpoints() }
    /// Forwarded.
    @discardableResult
    public func deleteKeys(_ subjects: [String]) async throws -> Int { try await base.deleteKeys(subjects) }
    /// Forwarded.
    public func keySubjects(prefix: String) async throws -> [String] { try await base.keySubjects(prefix: prefix) }
    /// Forwarded.
    public func rebuildProjection(_ projection: any Projection) async throws { try await base.rebuildProjection(projection) }
    /// Forwarded.
    public func projectionDocuments(_ projection: any Projection, partition: String) async throws -> [String: JSONValue] {
        try await base.projectionDocuments(projection, partition: partition)
    }
    /// Forwarded.
    public func projectionDocuments(_ projection: any Projection, partition: String, after key: String?, limit: Int) async throws -> [ProjectionDocument] {
        try await base.projectionDocuments(projection, partition: partition, after: key, limit: limit)
    }
    /// Forwarded.
    public func importStored(_ events: [EventEnvelope]) async throws { try await base.importStored(events) }
    /// Forwarded.
    public func saveSnapshot(_ snapshot: StateSnapshot) async throws { try await base.saveSnapshot(snapshot) }
    /// Forwarded.
    public func loadSnapshot(_ stream: StreamID) async throws -> StateSnapshot? { try await base.loadSnapshot(stream) }
    /// Forwarded.
    public func snapshots() async throws -> [StateSnapshot] { try await base.snapshots() }
    /// Forwarded.
    @discardableResult
    public func deleteSnapshots() async throws -> Int { try await base.deleteSnapshots() }
    /// Forwarded.
    public func consumerPositions() async throws -> [ConsumerPosition] { try await base.consumerPositions() }
    /// Forwarded.
    public func advanceConsumer(_ name: String, to position: Int64, from expected: Int64) async throws -> Bool {
        try await base.advanceConsumer(name, to: position, from: expected)
    }
    /// Forwarded.
    public func recordConsumerError(_ name: String, _ message: String) async throws { try await base.recordConsumerError(name, message) }
    /// Forwarded.
    public func resetConsumer(_ name: String) async throws { try await base.resetConsumer(name) }
    /// Forwarded.
    public func withConsumerClaim<T: Sendable>(_ name: String, _ body: @escaping @Sendable () async throws -> T) async throws -> T? {
        try await base.withConsumerClaim(name, body)
    }
    /// Forwarded.
    public func close() async throws { try await base.close() }
}
