import ApexDomain
import ApexStore
import Foundation
import Logging
import Synchronization
import Testing

/// The checkpointed consumer runner on every store: it hands a consumer exactly the events
/// after its saved position, in order, a page at a time; retries a failed page (recording the
/// error) without skipping anything; resumes after a stop; replays after a reset; and follows
/// new appends live.
@Suite("Consumer runner")
struct ConsumerRunnerTests {
    /// Quick retries and waits, for tests.
    static var options: ConsumerRunner.Options {
        var o = ConsumerRunner.Options()
        o.pageSize = 256
        o.idleWait = .milliseconds(200)
        o.initialBackoff = .milliseconds(10)
        o.claimRetry = .milliseconds(100)
        return o
    }

    /// Appends `count` notes in appends of at most 250.
    static func append(_ store: any EventStore, _ count: Int) async throws {
        var left = count
        while left > 0 {
            let n = min(250, left)
            _ = try await store.append(Events.notes(n), to: StreamID(rawValue: "test-\(UUID().uuidString.lowercased())"), expected: .noStream)
            left -= n
        }
    }

    @Test(arguments: StoreKind.allCases)
    func catchesUpWithExactlyTheEventsAfterItsPosition(kind: StoreKind) async throws {
        try await Fixtures.withStore(kind) { f in
            try await Self.append(f.store, 3000)
            #expect(try await f.store.advanceConsumer("recorder", to: 1000, from: 0))
            let consumer = RecordingConsumer()
            let reached = try await ConsumerRunner(consumer, store: f.store, options: Self.options, logger: Fixtures.logger).catchUp()
            #expect(reached == 3000)
            #expect(consumer.positions == Array(1001...3000))
            #expect(consumer.replayCount == 0)
            #expect(try await f.store.positions() == ["recorder": 3000])
            // From 0, the consumer is asked to clear its read model first.
            let fresh = RecordingConsumer("fresh")
            #expect(try await ConsumerRunner(fresh, store: f.store, options: Self.options, logger: Fixtures.logger).catchUp() == 3000)
            #expect(fresh.positions == Array(1...3000) && fresh.replayCount == 1)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func aFailedPageIsRetriedAndNothingIsSkipped(kind: StoreKind) async throws {
        try await Fixtures.withStore(kind) { f in
            try await Self.append(f.store, 1000)
            let consumer = RecordingConsumer(store: f.store, failOnceAt: [600])
            #expect(try await ConsumerRunner(consumer, store: f.store, options: Self.options, logger: Fixtures.logger).catchUp() == 1000)
            // Pages of 256: the third (513…768) failed at 600 after handling 513…599, and came
            // again whole: a repeat, never a gap.
            #expect(consumer.positions == Array(1...599) + Array(513...1000))
            #expect(consumer.errors == ["probe failure at position 600"])
            let saved = try #require(try await f.store.consumerPositions().first)
            #expect(saved.position == 1000 && saved.lastError == nil)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func aStoppedRunnerResumesFromItsPosition(kind: StoreKind) async throws {
        try await Fixtures.withStore(kind) { f in
            let first = RecordingConsumer()
            let running = Task { await ConsumerRunner(first, store: f.store, options: Self.options, logger: Fixtures.logger).run() }
            for _ in 0..<3 { try await Self.append(f.store, 100) }
            #expect(try await eventually { try await f.store.positions()["recorder"] == 300 })
            running.cancel()
            await running.value
            try await Self.append(f.store, 200)
            let second = RecordingConsumer()
            let again = Task { await ConsumerRunner(second, store: f.store, options: Self.options, logger: Fixtures.logger).run() }
            #expect(try await eventually { try await f.store.positions()["recorder"] == 500 })
            again.cancel()
            await again.value
            #expect(first.positions == Array(1...300))
            #expect(second.positions == Array(301...500))
            #expect(first.replayCount == 1 && second.replayCount == 0)
        }
    }

    /// Saving the position is a durable write: a runner saves once per checkpoint interval,
    /// not after every page, and saves what it handled when it stops.
    @Test(arguments: StoreKind.allCases)
    func positionsAreSavedOncePerIntervalAndWhenStopping(kind: StoreKind) async throws {
        try await Fixtures.withStore(kind) { f in
            var options = Self.options
            options.pageSize = 1
            options.checkpointInterval = .seconds(60)
            let consumer = RecordingConsumer()
            let running = Task { [options] in await ConsumerRunner(consumer, store: f.store, options: options, logger: Fixtures.logger).run() }
            try await Self.append(f.store, 20)
            #expect(try await eventually { consumer.positions.count == 20 })
            // Twenty pages handled, none saved: the interval has not passed.
            #expect((try await f.store.positions()["recorder"] ?? 0) == 0)
            running.cancel()
            await running.value
            #expect(try await f.store.positions()["recorder"] == 20)

            // With a short interval, a caught-up runner saves within it.
            options.checkpointInterval = .milliseconds(100)
            let again = RecordingConsumer()
            let resumed = Task { [options] in await ConsumerRunner(again, store: f.store, options: options, logger: Fixtures.logger).run() }
            try await Self.append(f.store, 5)
            #expect(try await eventually(timeout: .seconds(10)) { try await f.store.positions()["recorder"] == 25 })
            resumed.cancel()
            await resumed.value
            #expect(again.positions == Array(21...25))
        }
    }

    /// A caught-up runner woken by an append lets more gather for its batch delay before it
    /// reads: appends made one after another within it reach the consumer as one page, not one
    /// page each (each page is one re-index, one tally write, for a consumer).
    @Test(arguments: StoreKind.allCases)
    func appendsArrivingTogetherAreHandledAsOnePage(kind: StoreKind) async throws {
        try await Fixtures.withStore(kind) { f in
            var options = Self.options
            options.batchDelay = .seconds(2)
            let consumer = RecordingConsumer()
            let running = Task { [options] in await ConsumerRunner(consumer, store: f.store, options: options, logger: Fixtures.logger).run() }
            try await Self.append(f.store, 1)
            #expect(try await eventually { consumer.positions == [1] })
            let started = ContinuousClock.now
            for _ in 0..<5 { try await Self.append(f.store, 1) }
            let appending = ContinuousClock.now - started
            #expect(try await eventually { consumer.positions.count == 6 })
            running.cancel()
            await running.value
            // Five single appends, well within the delay: one page of five.
            #expect(appending < .seconds(2))
            #expect(Array(consumer.pages.dropFirst()) == [[2, 3, 4, 5, 6]])
        }
    }

    @Test(arguments: StoreKind.allCases)
    func aResetWhileRunningReplaysTheLog(kind: StoreKind) async throws {
        try await Fixtures.withStore(kind) { f in
            let consumer = RecordingConsumer()
            let running = Task { await ConsumerRunner(consumer, store: f.store, options: Self.options, logger: Fixtures.logger).run() }
            try await Self.append(f.store, 50)
            #expect(try await eventually { try await f.store.positions()["recorder"] == 50 })
            try await f.store.resetConsumer("recorder")
            #expect(try await eventually { consumer.positions.count == 100 })
            #expect(try await eventually { try await f.store.positions()["recorder"] == 50 })
            running.cancel()
            await running.value
            #expect(consumer.positions == Array(1...50) + Array(1...50))
            #expect(consumer.replayCount == 2)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func personalValuesAreOpenedOnlyWhenAsked(kind: StoreKind) async throws {
        try await Fixtures.withStore(kind) { f in
            let metadata = RequestMetadata(ipAddress: "203.0.113.7", userAgent: "probe/1.0")
            _ = try await f.store.append([Events.note("x", metadata: metadata)], to: StreamID(rawValue: "test-open"), expected: .noStream)
            let stored = SnoopingConsumer("stored", readMode: .stored)
            let opened = SnoopingConsumer("opened", readMode: .opened)
            _ = try await ConsumerRunner(stored, store: f.store, logger: Fixtures.logger).catchUp()
            _ = try await ConsumerRunner(opened, store: f.store, logger: Fixtures.logger).catchUp()
            #expect(opened.events.first?.requestMetadata.ipAddress?.plaintext == "203.0.113.7")
            #expect(stored.events.first?.requestMetadata.ipAddress?.plaintext == nil)
            #expect(stored.events.first?.requestMetadata == (try await f.store.readAll(after: 0, limit: 1, mode: .stored)).first?.requestMetadata)
        }
    }
}

/// A consumer keeping the events it was handed.
final class SnoopingConsumer: LogConsumer {
    let name: String
    let readMode: ReadMode
    private let kept = Mutex<[EventEnvelope]>([])
    init(_ name: String, readMode: ReadMode) {
        self.name = name
        self.readMode = readMode
    }
    var events: [EventEnvelope] { kept.withLock { $0 } }
    func handle(_ events: [EventEnvelope]) async throws { kept.withLock { $0 += events } }
}
