import ApexDomain
@testable import ApexStore
import ApexTestSupport
import Foundation
import Synchronization
import Testing

/// Concurrent appends share transactions (group commit); each must still get exactly the
/// outcome it would get alone.
@Suite("Conformance: group commit")
struct ConformanceGroupCommitTests {
    @Test(arguments: StoreKind.allCases)
    func concurrentAppendsEachGetTheirOwnOutcome(kind: StoreKind) async throws {
        try await Fixtures.withStore(kind) { f in
            // Streams that exist at version 1, and one first append to retry later.
            let existing = (0..<8).map { _ in StreamID.project(UUID()) }
            for stream in existing { _ = try await f.store.append([Events.note("seed")], to: stream, expected: .noStream) }
            let retried = [Events.note("retried")]
            let first = try await f.store.append(retried, to: existing[0], expected: .exact(1))

            enum Expect: Sendable { case ok, conflict, duplicate }
            var cases: [(events: [ProposedEvent], stream: StreamID, expected: ExpectedVersion, outcome: Expect)] = []
            for i in 0..<24 { cases.append((Events.notes(1 + i % 3, prefix: "new\(i)-"), .project(UUID()), .noStream, .ok)) }
            for stream in existing.dropFirst() { cases.append(([Events.note("stale")], stream, .exact(7), .conflict)) }
            for stream in existing.dropFirst() { cases.append(([Events.note("fresh")], stream, .exact(1), .ok)) }
            cases.append((retried, existing[0], .exact(1), .duplicate))

            let outcomes = try await withThrowingTaskGroup(of: (Int, Result<AppendResult, EventStoreError>).self) { group in
                for (i, c) in cases.enumerated() {
                    group.addTask {
                        do { return (i, .success(try await f.store.append(c.events, to: c.stream, expected: c.expected))) } catch let error as EventStoreError {
                            return (i, .failure(error))
                        }
                    }
                }
                return try await group.reduce(into: [Int: Result<AppendResult, EventStoreError>]()) { $0[$1.0] = $1.1 }
            }
            for (i, c) in cases.enumerated() {
                switch (c.outcome, outcomes[i]) {
                case (.ok, .success(let r)?):
                    #expect(!r.wasDuplicate)
                    #expect(r.events.map(\.id) == c.events.map(\.id))
                    let stored = try await f.store.readStream(c.stream)
                    #expect(stored.suffix(c.events.count).map(\.id) == c.events.map(\.id))
                case (.conflict, .failure(let e)?):
                    #expect(e.code == .versionConflict)
                    // The stream's "fresh" append races this one: checked before it commits the
                    // stream is at 1, after it at 2. Either is the version the check saw.
                    #expect(e.actualVersion == 1 || e.actualVersion == 2, "actual version \(String(describing: e.actualVersion))")
                case (.duplicate, .success(let r)?):
                    #expect(r.wasDuplicate)
                    #expect(r.events == first.events)
                default:
                    Issue.record("case \(i) expected \(c.outcome), got \(String(describing: outcomes[i]))")
                }
            }
            // Nothing but the accepted appends was written, in one gap-free order.
            let all = try await f.store.readAll(after: 0, limit: 10_000)
            let accepted = cases.filter { $0.outcome == .ok }.reduce(0) { $0 + $1.events.count }
            #expect(all.count == existing.count + 1 + accepted)
            #expect(all.map(\.position) == Array(1...Int64(all.count)))
            #expect(try await f.store.verify().ok)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func anAppendThatFailsInsideTheTransactionFailsAlone(kind: StoreKind) async throws {
        // The projection throws for one event type inside the append's transaction: that
        // append must fail; appends that shared its transaction must still land.
        try await Fixtures.withStore(kind, projections: [Refusing()]) { f in
            let streams = (0..<16).map { _ in StreamID.project(UUID()) }
            let results = try await withThrowingTaskGroup(of: (Int, Bool).self) { group in
                for (i, stream) in streams.enumerated() {
                    group.addTask {
                        var event = Events.note("n\(i)")
                        if i % 5 == 2 { event.type = "test.refused" }
                        do {
                            _ = try await f.store.append([event], to: stream, expected: .noStream)
                            return (i, true)
                        } catch {
                            return (i, false)
                        }
                    }
                }
                return try await group.reduce(into: [Int: Bool]()) { $0[$1.0] = $1.1 }
            }
            for i in streams.indices { #expect(results[i] == (i % 5 != 2), "append \(i)") }
            for (i, stream) in streams.enumerated() {
                #expect(try await f.store.streamVersion(stream) == (i % 5 == 2 ? 0 : 1))
            }
            let all = try await f.store.readAll(after: 0, limit: 100)
            #expect(all.map(\.position) == Array(1...Int64(all.count)))
            #expect(!all.contains { $0.type == "test.refused" })
            #expect(try await f.store.verify().ok)
        }
    }

    @Test func twoPostgresWritersOnOneDatabaseRaceSafely() async throws {
        // Two stores with their own pools and group commits are two server processes: their
        // unlocked reads go stale under each other, so the checks of the two-statement write
        // and the locked fallback are what keep versions, chains and positions right.
        try await TestPostgres.withDatabase { database in
            try await EventStores.withStore(url: database.url, logger: Fixtures.logger) { a in
                try await EventStores.withStore(url: database.url, logger: Fixtures.logger) { b in
                    let streams = (0..<4).map { _ in StreamID.project(UUID()) }
                    let results = try await withThrowingTaskGroup(of: [UUID: AppendResult].self) { group in
                        for w in 0..<16 {
                            let store: any EventStore = w % 2 == 0 ? a : b
                            group.addTask {
                                var mine: [UUID: AppendResult] = [:]
                                for i in 0..<12 {
                                    let stream = streams[(w + i) % streams.count]
                                    let event = Events.note("w\(w)-\(i)", metadata: RequestMetadata(ipAddress: "192.0.2.\(w)"))
                                    let expected: ExpectedVersion = i % 3 == 0 ? .any : .exact(try await store.streamVersion(stream))
                                    do {
                                        mine[event.id] = try await store.append([event], to: stream, expected: expected)
                                    } catch let error as EventStoreError where error.code == .versionConflict {}
                                }
                                return mine
                            }
                        }
                        return try await group.reduce(into: [UUID: AppendResult]()) { $0.merge($1) { a, _ in a } }
                    }
                    let accepted = Array(results.keys)
                    let all = try await a.readAll(after: 0, limit: 10_000)
                    for id in Set(accepted).subtracting(all.map(\.id)) {
                        let r = results[id]!
                        let at = all.first { $0.position == r.lastPosition }
                        Issue.record("acknowledged but not in the log: \(id) at position \(r.lastPosition) v\(r.nextExpectedVersion) \(r.stream); log at that pos: \(String(describing: at.map { ($0.id, $0.stream, $0.version) }))")
                    }
                    #expect(all.count == accepted.count)
                    #expect(Set(all.map(\.id)) == Set(accepted))
                    #expect(all.map(\.position) == Array(1...Int64(all.count)))
                    #expect(zip(all, all.dropFirst()).allSatisfy { $0.recordedAt <= $1.recordedAt })
                    for stream in streams {
                        let events = try await b.readStream(stream)
                        #expect(events.map(\.version) == Array(1...Int64(events.count)))
                    }
                    #expect(all.allSatisfy { $0.requestMetadata.ipAddress?.display.hasPrefix("192.0.2.") == true })
                    #expect(try await a.verify().ok)
                }
            }
        }
    }

    @Test func waitingRequestsShareTheNextTransaction() async throws {
        // The first commit is held open until 15 more requests are queued; they must all go
        // into the second transaction, in arrival order, each answered with its own result.
        let batches = Mutex<[[Int]]>([])
        let release = AsyncStream<Void>.makeStream()
        let group = GroupCommit<Int, Int> { requests in
            let first = batches.withLock { b in
                b.append(requests)
                return b.count == 1
            }
            if first { for await _ in release.stream { break } }
            return requests.map { $0 < 0 ? .failure(EventStoreError(.invalidEvent, "negative")) : .success($0 * 10) }
        }
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask {
                let answer = try await group.submit(0)
                #expect(answer == 0)
            }
            while batches.withLock({ $0.isEmpty }) { await Task.yield() }
            for i in 1...15 {
                let n = i == 7 ? -7 : i
                tasks.addTask {
                    if n < 0 {
                        await #expect(throws: EventStoreError.self) { try await group.submit(n) }
                    } else {
                        let answer = try await group.submit(n)
                        #expect(answer == n * 10)
                    }
                }
            }
            // Requests queue in whatever order their tasks start; wait until all 15 are in.
            try await Task.sleep(for: .milliseconds(200))
            release.continuation.yield()
            try await tasks.waitForAll()
        }
        let seen = batches.withLock { $0 }
        #expect(seen.count == 2)
        #expect(seen.first == [0])
        #expect(Set(seen.last ?? []) == Set((1...15).map { $0 == 7 ? -7 : $0 }))
    }
}

/// A read model that refuses `test.refused` events, to fail a transaction from inside.
private struct Refusing: Projection {
    var name: String { "refusing" }
    func target(of event: EventEnvelope) -> (partition: String, key: String)? { ("all", event.stream.rawValue) }
    func apply(_ event: EventEnvelope, to document: JSONValue?) throws -> JSONValue? {
        if event.type == "test.refused" { throw EventStoreError(.invalidEvent, "refused by the read model") }
        return ["version": .number(Double(event.version))]
    }
}
