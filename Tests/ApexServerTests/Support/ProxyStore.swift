import ApexDomain
import ApexStore
import ApexTestSupport
import Foundation
import Synchronization

/// A store that forwards to a real one, counting the events read of each stream, with two faults to inject: a competing write that lands
/// just before the next append to a project stream (a deterministic lost race), and a store that
/// stops answering.
final class ProxyStore: EventStore {
    let base: any EventStore
    var featureDatabase: FeatureDatabase { base.featureDatabase }
    /// Events to append to the target stream right before each of the next appends there, and
    /// how many appends are left to race.
    private let interloper = Mutex<(stream: StreamID, events: @Sendable () throws -> [ProposedEvent], left: Int)?>(nil)
    /// When set, every read of the head fails as an unreachable store would.
    private let down = Atomic<Bool>(false)
    /// How many events `readStream` returned, by stream.
    private let read = Mutex<[StreamID: Int]>([:])

    init(_ base: any EventStore) { self.base = base }

    /// Makes the next append to `stream` lose a race against `events`.
    func race(_ stream: StreamID, with events: [ProposedEvent]) {
        race(stream, times: 1) { events }
    }

    /// Makes each of the next `times` appends to `stream` lose a race against the events `make`
    /// gives (new ones each time): a writer that retries a lost race loses every retry too.
    func race(_ stream: StreamID, times: Int, with make: @escaping @Sendable () throws -> [ProposedEvent]) {
        interloper.withLock { $0 = (stream, make, times) }
    }

    /// From now on the store does not answer (reads of the head fail).
    func goDown() { down.store(true, ordering: .relaxed) }

    func append(_ events: [ProposedEvent], to stream: StreamID, expected: ExpectedVersion) async throws -> AppendResult {
        let competing = interloper.withLock { pending -> (@Sendable () throws -> [ProposedEvent])? in
            guard let p = pending, p.stream == stream else { return nil }
            pending = p.left > 1 ? (p.stream, p.events, p.left - 1) : nil
            return p.events
        }
        if let competing { _ = try await base.append(try competing(), to: stream, expected: .any) }
        return try await base.append(events, to: stream, expected: expected)
    }

    func readStream(_ stream: StreamID, from version: Int64, limit: Int, mode: ReadMode) async throws -> [EventEnvelope] {
        let events = try await base.readStream(stream, from: version, limit: limit, mode: mode)
        read.withLock { $0[stream, default: 0] += events.count }
        return events
    }

    /// How many events of `stream` were read through this proxy so far.
    func eventsRead(of stream: StreamID) -> Int { read.withLock { $0[stream] ?? 0 } }
    func readAll(after position: Int64, limit: Int, mode: ReadMode) async throws -> [EventEnvelope] {
        try await base.readAll(after: position, limit: limit, mode: mode)
    }
    func readAccount(_ account: UUID, after position: Int64, limit: Int, mode: ReadMode) async throws -> [EventEnvelope] {
        try await base.readAccount(account, after: position, limit: limit, mode: mode)
    }
    func streamVersion(_ stream: StreamID) async throws -> Int64 { try await base.streamVersion(stream) }
    func streamHeads() async throws -> [StreamID: StreamHead] { try await base.streamHeads() }
    func headPosition() async throws -> Int64 {
        if down.load(ordering: .relaxed) { throw FixtureError("the store is down") }
        return try await base.headPosition()
    }
    func waitForAppend(after position: Int64, timeout: Duration) async throws { try await base.waitForAppend(after: position, timeout: timeout) }
    func insertCheckpoint(_ checkpoint: Checkpoint) async throws { try await base.insertCheckpoint(checkpoint) }
    func checkpoints() async throws -> [Checkpoint] { try await base.checkpoints() }
    func deleteKeys(_ subjects: [String]) async throws -> Int { try await base.deleteKeys(subjects) }
    func keySubjects(prefix: String) async throws -> [String] { try await base.keySubjects(prefix: prefix) }
    func rebuildProjection(_ projection: any Projection) async throws { try await base.rebuildProjection(projection) }
    func projectionDocuments(_ projection: any Projection, partition: String) async throws -> [String: JSONValue] {
        try await base.projectionDocuments(projection, partition: partition)
    }
    func projectionDocuments(_ projection: any Projection, partition: String, after key: String?, limit: Int) async throws -> [ProjectionDocument] {
        try await base.projectionDocuments(projection, partition: partition, after: key, limit: limit)
    }
    func importStored(_ events: [EventEnvelope]) async throws { try await base.importStored(events) }
    func saveSnapshot(_ snapshot: StateSnapshot) async throws { try await base.saveSnapshot(snapshot) }
    func loadSnapshot(_ stream: StreamID) async throws -> StateSnapshot? { try await base.loadSnapshot(stream) }
    func snapshots() async throws -> [StateSnapshot] { try await base.snapshots() }
    func deleteSnapshots() async throws -> Int { try await base.deleteSnapshots() }
    func consumerPositions() async throws -> [ConsumerPosition] { try await base.consumerPositions() }
    func advanceConsumer(_ name: String, to position: Int64, from expected: Int64) async throws -> Bool {
        try await base.advanceConsumer(name, to: position, from: expected)
    }
    func recordConsumerError(_ name: String, _ message: String) async throws { try await base.recordConsumerError(name, message) }
    func resetConsumer(_ name: String) async throws { try await base.resetConsumer(name) }
    func withConsumerClaim<T: Sendable>(_ name: String, _ body: @escaping @Sendable () async throws -> T) async throws -> T? {
        try await base.withConsumerClaim(name, body)
    }
    func close() async throws {}
}
