import ApexDomain
import ApexStore
import Foundation
import Testing

/// `foldStream` reads pages ahead of the fold; the fold must still see every event once, in
/// order, in pages that continue each other, and end as a replay of the whole stream would.
@Suite("Conformance: folding a stream")
struct ConformanceFoldTests {
    struct Refused: Error {}

    /// The pages a fold was given: their first and last versions.
    static func pages(
        _ store: any EventStore, _ stream: StreamID, from version: Int64 = 1, through last: Int64 = .max, pageSize: Int
    ) async throws -> [ClosedRange<Int64>] {
        try await store.foldStream(stream, from: version, through: last, into: [ClosedRange<Int64>](), pageSize: pageSize) { pages, page in
            pages.append(page.first!.version...page.last!.version)
            #expect(page.map(\.version) == Array(page.first!.version...page.last!.version))
        }
    }

    @Test(arguments: StoreKind.allCases)
    func everyEventIsFoldedOnceInOrderWhateverThePageSize(kind: StoreKind) async throws {
        try await Fixtures.withStore(kind) { f in
            let stream = StreamID.project(UUID())
            _ = try await f.store.append(Events.notes(250), to: stream, expected: .noStream)
            _ = try await f.store.append(Events.notes(3), to: .project(UUID()), expected: .noStream)
            // Pages that divide the stream, that do not, of one event, and larger than it.
            #expect(try await Self.pages(f.store, stream, pageSize: 50) == [1...50, 51...100, 101...150, 151...200, 201...250])
            #expect(try await Self.pages(f.store, stream, pageSize: 100) == [1...100, 101...200, 201...250])
            #expect(try await Self.pages(f.store, stream, pageSize: 1).count == 250)
            #expect(try await Self.pages(f.store, stream, pageSize: 1_000) == [1...250])
            #expect(try await Self.pages(f.store, stream, from: 241, pageSize: 4) == [241...244, 245...248, 249...250])
            #expect(try await Self.pages(f.store, .project(UUID()), pageSize: 10).isEmpty)
            #expect(try await Self.pages(f.store, stream, from: 0, pageSize: 100).first == 1...100)
            // Through a version: the last page ends there, and nothing after it is folded.
            #expect(try await Self.pages(f.store, stream, through: 120, pageSize: 50) == [1...50, 51...100, 101...120])
            #expect(try await Self.pages(f.store, stream, through: 100, pageSize: 50) == [1...50, 51...100])
            #expect(try await Self.pages(f.store, stream, from: 7, through: 7, pageSize: 50) == [7...7])
            #expect(try await Self.pages(f.store, stream, through: 900, pageSize: 100).last == 201...250)
            let texts = try await f.store.foldStream(stream, into: [String](), pageSize: 7) { texts, page in
                texts += page.map { $0.data["text"]?.stringValue ?? "" }
            }
            #expect(texts == (0..<250).map { "n\($0)" })
        }
    }

    @Test(arguments: StoreKind.allCases)
    func aProjectFoldedPageByPageIsItsReplay(kind: StoreKind) async throws {
        try await Fixtures.withStore(kind) { f in
            let id = UUID()
            let writer = ProjectWriter(store: f.store)
            try await writer.run(id, .create(projectID: id, fields: ProjectFields(name: "Pylon", tags: ["pylon"])))
            for i in 0..<60 {
                try await writer.run(id, .update(changes: ["description": .string("revision \(i)"), "tags": ["pylon", .string("r\(i % 7)")]]))
            }
            try await writer.run(id, .changeStatus(to: .estimating, reason: "ready"))
            let replayed = try ProjectState.replay(try await f.store.readStream(.project(id)))
            for pageSize in [1, 8, 61, 62, 500] {
                let folded = try await f.store.foldStream(.project(id), into: ProjectState(), pageSize: pageSize) { try $0.apply(contentsOf: $1) }
                #expect(folded == replayed)
            }
            #expect(replayed.version == 62)
            #expect(replayed.fields.description == "revision 59")
            #expect(replayed.status == .estimating)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func anErrorFromTheFoldEndsItAndIsRethrown(kind: StoreKind) async throws {
        try await Fixtures.withStore(kind) { f in
            let stream = StreamID.project(UUID())
            _ = try await f.store.append(Events.notes(40), to: stream, expected: .noStream)
            var folded = 0
            await #expect(throws: Refused.self) {
                _ = try await f.store.foldStream(stream, into: 0, pageSize: 10) { count, page in
                    if count == 20 { throw Refused() }
                    count += page.count
                    folded = count
                }
            }
            #expect(folded == 20)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func aCatchUpThatReadsAheadStillDeliversEveryEventOnce(kind: StoreKind) async throws {
        try await Fixtures.withStore(kind) { f in
            for i in 0..<9 { _ = try await f.store.append(Events.notes(37, prefix: "s\(i)-"), to: .project(UUID()), expected: .noStream) }
            let head = try await f.store.headPosition()
            #expect(head == 333)
            // Pages of 10, read three at a time while they come back full.
            var positions: [Int64] = []
            for try await event in f.store.subscribe(after: 5, pageSize: 10) {
                positions.append(event.position)
                if event.position >= head { break }
            }
            #expect(positions == Array(6...head))
        }
    }

    /// Positions have no gaps unless rows were deleted behind the store's back (which `verify`
    /// reports); the page read ahead is then dropped, and nothing is skipped or repeated.
    @Test(arguments: StoreKind.sql)
    func aCatchUpOverDeletedRowsReadsWhatIsLeftOnce(kind: StoreKind) async throws {
        try await Fixtures.withStore(kind) { f in
            for i in 0..<6 { _ = try await f.store.append(Events.notes(40, prefix: "s\(i)-"), to: .project(UUID()), expected: .noStream) }
            try await f.disableAppendOnlyTriggers()
            try await f.execute("DELETE FROM events WHERE position IN (15, 16, 33, 70, 71, 72, 150, 200)")
            var positions: [Int64] = []
            for try await event in f.store.subscribe(after: 0, pageSize: 10) {
                positions.append(event.position)
                if event.position >= 240 { break }
            }
            #expect(positions == (1...240).filter { ![15, 16, 33, 70, 71, 72, 150, 200].contains($0) })
        }
    }

    /// Stream versions have no gaps unless rows were deleted behind the store's back; a fold
    /// that reads pages ahead by version then says so instead of folding what is left.
    @Test(arguments: StoreKind.sql)
    func aFoldOverDeletedRowsFailsAsAnIntegrityFailure(kind: StoreKind) async throws {
        try await Fixtures.withStore(kind) { f in
            let stream = StreamID.project(UUID())
            _ = try await f.store.append(Events.notes(60), to: stream, expected: .noStream)
            try await f.disableAppendOnlyTriggers()
            try await f.execute("DELETE FROM events WHERE position = 15")
            // The page that starts at 11 holds 11…14, 16…21; one that starts past the gap is fine.
            await #expect { try await Self.pages(f.store, stream, pageSize: 10) } throws: { error in
                (error as? EventStoreError)?.code == .integrityFailure
            }
            #expect(try await Self.pages(f.store, stream, from: 21, pageSize: 10) == [21...30, 31...40, 41...50, 51...60])
        }
    }
}
