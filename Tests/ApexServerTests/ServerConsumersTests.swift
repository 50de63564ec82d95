import ApexDomain
import ApexServer
import ApexStore
import Foundation
import Logging
import ServiceLifecycle
import Synchronization
import Testing

/// The server's consumers of the log: the names the CLI knows are the consumers the server
/// builds, and the consumer service follows the log beside the server until graceful shutdown.
@Suite("Server consumers")
struct ServerConsumersTests {
    @Test func theNamesTheCLIKnowsAreTheConsumersTheServerRuns() async throws {
        let built = ServerConsumers.consumers(store: InMemoryEventStore(), configuration: ServerConfiguration(), logger: Logger(label: "test"))
        #expect(built.map(\.name) == ServerConsumers.names)
        #expect(Set(built.map(\.name)).count == built.count)
    }

    @Test func theServiceFollowsTheLogUntilGracefulShutdown() async throws {
        let store = InMemoryEventStore()
        let counter = Counter()
        let service = ConsumerService(consumers: [counter], store: store, logger: Logger(label: "test"))
        let group = ServiceGroup(configuration: .init(services: [.init(service: service)], logger: Logger(label: "test")))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            for i in 0..<5 {
                let id = UUID()
                _ = try await store.append(
                    [ProposedEvent(id: id, type: "test.note", data: ["n": .number(Double(i))], accountID: id, actor: .service("test"))],
                    to: StreamID(rawValue: "test-\(i)"), expected: .noStream)
            }
            let deadline = ContinuousClock.now + .seconds(10)
            while counter.count < 5, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
            #expect(counter.count == 5)
            await group.triggerGracefulShutdown()
            try await tasks.next()
        }
        #expect(try await store.consumerPositions().map(\.position) == [5])
    }

    /// Counts the events it handles.
    final class Counter: LogConsumer {
        let name = "counter"
        private let handled = Atomic<Int>(0)
        var count: Int { handled.load(ordering: .relaxed) }
        func handle(_ events: [EventEnvelope]) async throws { handled.add(events.count, ordering: .relaxed) }
    }
}
