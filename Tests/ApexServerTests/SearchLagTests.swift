import ApexDomain
import ApexServer
import ApexStore
import Foundation
import HTTPTypes
import Logging
import ServiceLifecycle
import Testing

/// The search consumer as the server runs it: beside the API, holding the consumer's claim. A
/// search right after a write waits for the runner (which the append wakes) instead of indexing
/// inline, and still finds the write.
@Suite struct SearchLagTests {
    @Test(arguments: StoreKind.allCases)
    func aSearchRightAfterAWriteWaitsForTheRunningConsumer(_ kind: StoreKind) async throws {
        try await World.with(kind, withProjects: false) { world in
            let service = ConsumerService(
                consumers: ServerConsumers.consumers(store: world.store, configuration: world.configuration, logger: World.logger), store: world.store,
                logger: World.logger)
            let group = ServiceGroup(configuration: .init(services: [.init(service: service)], logger: World.logger))
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await group.run() }
                try await world.test { client in
                    let owner = world.token("owner")
                    for i in 1...5 {
                        let made = try await client.call(.post, "/v1/projects", as: owner, json: ["name": .string("Lattice tower \(i)")])
                        let id = try #require(made["id"]?.stringValue)
                        let found = try await client.call(.get, "/v1/search?q=lattice%20tower%20\(i)&type=project", as: owner)
                        #expect(found.code == 200 && found["index_lag"] == 0, "\(found.text)")
                        #expect(SearchTests.ids(found).first == id, "\(found.text)")
                    }
                }
                // The runner follows the log to its head.
                let head = try await world.store.headPosition()
                let deadline = ContinuousClock.now + .seconds(10)
                var position: Int64 = 0
                while position < head, ContinuousClock.now < deadline {
                    position = try await world.store.consumerPositions().first { $0.name == "search" }?.position ?? 0
                    try await Task.sleep(for: .milliseconds(20))
                }
                #expect(position == head)
                await group.triggerGracefulShutdown()
                try await tasks.next()
            }
        }
    }
}
