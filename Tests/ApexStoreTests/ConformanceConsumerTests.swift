import ApexDomain
import ApexStore
import Foundation
import Synchronization
import Testing

/// Consumer positions on every store: saved by compare-and-set (a stale expected position is
/// refused and writes nothing), listed with their last error, reset to 0; and claims, which
/// exactly one caller holds at a time.
@Suite("Conformance: consumer positions and claims")
struct ConformanceConsumerTests {
    @Test(arguments: StoreKind.allCases)
    func advanceIsCompareAndSet(kind: StoreKind) async throws {
        try await Fixtures.withStore(kind) { f in
            let store = f.store
            #expect(try await store.consumerPositions().isEmpty)
            #expect(try await store.advanceConsumer("webhooks", to: 5, from: 0))
            // A stale expected position (someone else moved it) is refused and changes nothing.
            #expect(try await store.advanceConsumer("webhooks", to: 7, from: 0) == false)
            #expect(try await store.advanceConsumer("webhooks", to: 7, from: 4) == false)
            #expect(try await store.positions() == ["webhooks": 5])
            // A consumer never saved is at 0: any other expected position is stale.
            #expect(try await store.advanceConsumer("search", to: 3, from: 2) == false)
            #expect(try await store.consumerPositions().map(\.name) == ["webhooks"])
            #expect(try await store.advanceConsumer("webhooks", to: 9, from: 5))
            #expect(try await store.advanceConsumer("search", to: 3, from: 0))
            let listed = try await store.consumerPositions()
            #expect(listed.map(\.name) == ["search", "webhooks"])
            #expect(listed.map(\.position) == [3, 9])
            #expect(listed.allSatisfy { $0.lastError == nil && $0.lastErrorAt == nil })
            #expect(listed.allSatisfy { abs($0.updatedAt.timeIntervalSinceNow) < 120 }, "\(listed)")
            #expect(listed[1].lag(head: 12) == 3 && listed[1].lag(head: 2) == 0)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func errorsAreRecordedAndClearedAndResetReplays(kind: StoreKind) async throws {
        try await Fixtures.withStore(kind) { f in
            let store = f.store
            #expect(try await store.advanceConsumer("mail", to: 40, from: 0))
            try await store.recordConsumerError("mail", "smtp: 451 try later")
            var mail = try #require(try await store.consumerPositions().first)
            #expect(mail.position == 40 && mail.lastError == "smtp: 451 try later" && mail.lastErrorAt != nil)
            // A long error is cut, not refused.
            try await store.recordConsumerError("mail", String(repeating: "x", count: 10_000))
            mail = try #require(try await store.consumerPositions().first)
            #expect((mail.lastError?.count ?? 0) <= 2001 && mail.position == 40)
            // The next saved position clears it.
            #expect(try await store.advanceConsumer("mail", to: 41, from: 40))
            mail = try #require(try await store.consumerPositions().first)
            #expect(mail.position == 41 && mail.lastError == nil && mail.lastErrorAt == nil)
            // An error of a consumer never saved lists it at 0.
            try await store.recordConsumerError("search", "index locked")
            #expect(try await store.positions() == ["mail": 41, "search": 0])
            // Reset: back to 0, error cleared; the runner's stale advance from 41 is refused.
            try await store.recordConsumerError("mail", "boom")
            try await store.resetConsumer("mail")
            mail = try #require(try await store.consumerPositions().first)
            #expect(mail.position == 0 && mail.lastError == nil)
            #expect(try await store.advanceConsumer("mail", to: 50, from: 41) == false)
            #expect(try await store.advanceConsumer("mail", to: 10, from: 0))
            // Resetting one never saved creates it at 0.
            try await store.resetConsumer("analytics")
            #expect(try await store.positions() == ["analytics": 0, "mail": 10, "search": 0])
        }
    }

    @Test(arguments: StoreKind.allCases)
    func concurrentAdvancesFromOnePositionOneWins(kind: StoreKind) async throws {
        try await Fixtures.withStore(kind) { f in
            let store = f.store
            for expected in [Int64(0), 100] {
                let wins = try await withThrowingTaskGroup(of: Bool.self) { group in
                    for i in 1...8 { group.addTask { try await store.advanceConsumer("race", to: expected + 100 + Int64(i), from: expected) } }
                    return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
                }
                #expect(wins == 1, "from \(expected)")
                let now = try #require(try await store.positions()["race"])
                #expect((expected + 101...expected + 108).contains(now))
                if expected == 0 { _ = try await store.advanceConsumer("race", to: 100, from: now) }
            }
        }
    }

    @Test(arguments: StoreKind.allCases)
    func oneHolderOfAClaimAtATime(kind: StoreKind) async throws {
        try await Fixtures.withStore(kind) { f in
            let store = f.store
            let inner = try await store.withConsumerClaim("webhooks") {
                // Held: a second claim on the name is refused at once, another name is free.
                let again = try await store.withConsumerClaim("webhooks") { 1 }
                let other = try await store.withConsumerClaim("email") { 2 }
                return [again, other]
            }
            #expect(inner == [nil, 2])
            // Released when the body ends, and when it throws.
            #expect(try await store.withConsumerClaim("webhooks") { 3 } == 3)
            await #expect(throws: ClaimProbe.self) { try await store.withConsumerClaim("webhooks") { () throws -> Int in throw ClaimProbe() } }
            #expect(try await store.withConsumerClaim("webhooks") { 4 } == 4)
        }
    }

    /// An error thrown inside a claim.
    struct ClaimProbe: Error {}
}

extension EventStore {
    /// The saved positions by name.
    func positions() async throws -> [String: Int64] {
        Dictionary(uniqueKeysWithValues: try await consumerPositions().map { ($0.name, $0.position) })
    }
}
