import ApexDomain
import ApexStore
import Foundation
import Testing

@Suite("Conformance: append and read")
struct ConformanceAppendTests {
    @Test(arguments: StoreKind.allCases)
    func appendsAndReadsBackAChainedStream(kind: StoreKind) async throws {
        try await Fixtures.withStore(kind) { f in
            let stream = StreamID.project(UUID())
            let first = try await f.store.append(Events.notes(2), to: stream, expected: .noStream)
            #expect(first.nextExpectedVersion == 2)
            #expect(first.events.map(\.version) == [1, 2])
            #expect(first.events.map(\.position) == [1, 2])
            let second = try await f.store.append([Events.note("third")], to: stream, expected: .exact(2))
            #expect(second.events[0].position == 3)

            let read = try await f.store.readStream(stream)
            #expect(read.map(\.version) == [1, 2, 3])
            #expect(read[0].prevHash == EventHash.genesis)
            #expect(read[1].prevHash == read[0].hash)
            #expect(read[2].prevHash == read[1].hash)
            #expect(read[2].data == ["text": "third"])
            #expect(read == first.events + second.events)
            #expect(try await f.store.readStream(stream, from: 3).map(\.version) == [3])
            #expect(try await f.store.streamVersion(stream) == 3)
            #expect(try await f.store.streamVersion(.project(UUID())) == 0)
            #expect(try await f.store.headPosition() == 3)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func recordedAtComesFromTheStoreClockInMicroseconds(kind: StoreKind) async throws {
        let fixed = Timestamp.parse("2026-03-04T05:06:07.123456Z")!
        try await Fixtures.withStore(kind, clock: { fixed }) { f in
            let result = try await f.store.append([Events.note("a")], to: .project(UUID()), expected: .any)
            let read = try await f.store.readAll()
            #expect(read[0].recordedAt == result.events[0].recordedAt)
            if kind != .postgres { #expect(Timestamp.format(read[0].recordedAt) == "2026-03-04T05:06:07.123456Z") }
            #expect(Timestamp.format(read[0].recordedAt).hasSuffix("Z"))
        }
    }

    @Test(arguments: StoreKind.allCases)
    func readAllPagesInPositionOrderAcrossStreams(kind: StoreKind) async throws {
        try await Fixtures.withStore(kind) { f in
            let a = StreamID.project(UUID()), b = StreamID.account(UUID())
            _ = try await f.store.append(Events.notes(3), to: a, expected: .noStream)
            _ = try await f.store.append(Events.notes(2), to: b, expected: .noStream)
            _ = try await f.store.append(Events.notes(1), to: a, expected: .exact(3))
            let page1 = try await f.store.readAll(after: 0, limit: 4)
            let page2 = try await f.store.readAll(after: page1.last!.position, limit: 4)
            #expect(page1.map(\.position) == [1, 2, 3, 4])
            #expect(page2.map(\.position) == [5, 6])
            #expect((page1 + page2).map(\.stream) == [a, a, a, b, b, a])
            #expect(try await f.store.readAll(after: 6, limit: 10).isEmpty)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func expectedVersionMismatchIsATypedConflictWithTheActualVersion(kind: StoreKind) async throws {
        try await Fixtures.withStore(kind) { f in
            let stream = StreamID.project(UUID())
            _ = try await f.store.append(Events.notes(2), to: stream, expected: .noStream)
            for expected in [ExpectedVersion.noStream, .exact(1), .exact(3)] {
                let error = try await #require(throws: EventStoreError.self) {
                    try await f.store.append([Events.note("x")], to: stream, expected: expected)
                }
                #expect(error.code == .versionConflict)
                #expect(error.actualVersion == 2)
                #expect(error.stream == stream)
            }
            let missing = try await #require(throws: EventStoreError.self) {
                try await f.store.append([Events.note("x")], to: .project(UUID()), expected: .exact(1))
            }
            #expect(missing.actualVersion == 0)
            _ = try await f.store.append([Events.note("any")], to: stream, expected: .any)
            #expect(try await f.store.streamVersion(stream) == 3)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func appendingTheSameEventIDsAgainReturnsTheFirstResultAndWritesNothing(kind: StoreKind) async throws {
        try await Fixtures.withStore(kind) { f in
            let stream = StreamID.project(UUID())
            let batch = Events.notes(2)
            let first = try await f.store.append(batch, to: stream, expected: .noStream)
            let again = try await f.store.append(batch, to: stream, expected: .noStream)
            #expect(again.wasDuplicate)
            #expect(!first.wasDuplicate)
            #expect(again.events.map(\.position) == first.events.map(\.position))
            #expect(again.events.map(\.hash) == first.events.map(\.hash))
            #expect(try await f.store.headPosition() == 2)

            // Some ids known, some new: refused, nothing written.
            let mixed = [batch[0], Events.note("new")]
            let error = try await #require(throws: EventStoreError.self) {
                try await f.store.append(mixed, to: stream, expected: .any)
            }
            #expect(error.code == .duplicateEventID)
            // A known id in another stream: refused.
            let elsewhere = try await #require(throws: EventStoreError.self) {
                try await f.store.append([batch[0]], to: .project(UUID()), expected: .any)
            }
            #expect(elsewhere.code == .duplicateEventID)
            #expect(try await f.store.headPosition() == 2)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func aFailingBatchLeavesNothingBehind(kind: StoreKind) async throws {
        try await Fixtures.withStore(kind) { f in
            let stream = StreamID.project(UUID())
            _ = try await f.store.append([Events.note("seed")], to: stream, expected: .noStream)
            var bad = Events.note("bad")
            bad.data = .array([1])
            let invalid = try await #require(throws: EventStoreError.self) {
                try await f.store.append([Events.note("ok"), bad], to: stream, expected: .exact(1))
            }
            #expect(invalid.code == .invalidEvent)
            let conflict = try await #require(throws: EventStoreError.self) {
                try await f.store.append(Events.notes(3), to: stream, expected: .exact(5))
            }
            #expect(conflict.code == .versionConflict)
            let duplicateInBatch = Events.note("twice")
            await #expect(throws: EventStoreError.self) {
                try await f.store.append([duplicateInBatch, duplicateInBatch], to: stream, expected: .exact(1))
            }
            #expect(try await f.store.readAll().count == 1)
            #expect(try await f.store.streamVersion(stream) == 1)
            #expect(try await f.store.verify().ok)
        }
    }
}
