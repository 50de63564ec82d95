import ApexDomain
import ApexStore
import Foundation
import Testing

/// Two runners of one consumer on two store instances over one database (two server instances
/// on one PostgreSQL; two stores of one SQLite file in a process): only one holds the claim
/// and handles events; when it stops, the other takes over from the saved position.
@Suite("Consumer claims across store instances")
struct ConsumerClaimTests {
    @Test(arguments: StoreKind.sql)
    func oneOfTwoRunnersHoldsTheClaimAndTheOtherTakesOver(kind: StoreKind) async throws {
        try await Fixtures.withStore(kind) { f in
            try await Self.withSecondStore(f) { other in
                let a = RecordingConsumer(), b = RecordingConsumer()
                let runA = Task { await ConsumerRunner(a, store: f.store, options: ConsumerRunnerTests.options, logger: Fixtures.logger).run() }
                try await Task.sleep(for: .milliseconds(300))
                let runB = Task { await ConsumerRunner(b, store: other, options: ConsumerRunnerTests.options, logger: Fixtures.logger).run() }
                try await Task.sleep(for: .milliseconds(300))
                // B is waiting for the claim A holds: a claim from either store is refused.
                #expect(try await f.store.withConsumerClaim("recorder") { true } == nil)
                #expect(try await other.withConsumerClaim("recorder") { true } == nil)
                try await ConsumerRunnerTests.append(f.store, 200)
                try await ConsumerRunnerTests.append(other, 200)
                #expect(try await eventually { try await f.store.positions()["recorder"] == 400 })
                // Exactly one of them handled everything, once.
                #expect(a.positions == Array(1...400), "a: \(a.positions.count), b: \(b.positions.count)")
                #expect(b.positions.isEmpty)

                runA.cancel()
                await runA.value
                try await ConsumerRunnerTests.append(f.store, 100)
                #expect(try await eventually { try await other.positions()["recorder"] == 500 })
                #expect(b.positions == Array(401...500))
                #expect(a.positions == Array(1...400))
                // B holds it now.
                #expect(try await f.store.withConsumerClaim("recorder") { true } == nil)
                runB.cancel()
                await runB.value
                #expect(try await f.store.withConsumerClaim("recorder") { true } == true)
            }
        }
    }

    /// A second store instance on `f`'s database.
    static func withSecondStore(_ f: StoreFixture, _ body: (any EventStore) async throws -> Void) async throws {
        switch f.kind {
        case .sqlite:
            let store = try SQLiteEventStore(path: f.sqlitePath!)
            do { try await body(store) } catch {
                try? await store.close()
                throw error
            }
            try await store.close()
        case .postgres:
            try await EventStores.withStore(url: f.url!, logger: Fixtures.logger) { store in try await body(store) }
        case .memory:
            Issue.record("no second instance of a memory store")
        }
    }
}
