import ApexDomain
import ApexLive
import ApexServer
import ApexStore
import ApexTestSupport
import Foundation
import Testing

/// Live streams across server instances (two stores and two servers on one PostgreSQL
/// database), and the feed's bound on a client that reads too slowly.
@Suite("Live streams across instances")
struct LiveInstancesTests {
    @Test func anAppendThroughASecondInstanceReachesAStreamOnTheFirst() async throws {
        try await TwoInstances.with { instances in
            let seed = try await World.seed(instances.storeA, withProjects: true)
            let owner = try await instances.second.issueToken(user: seed.users["owner"]!, account: seed.account)
            try await LiveServer.with(instances.first) { one in
                try await LiveServer.with(instances.second) { two in
                    let stream = try await one.stream("/v1/stream", as: owner)
                    try await two.edit(seed.projects["draft"]!, as: owner)
                    let head = try await instances.storeB.headPosition()
                    try await stream.waitFor(position: head, timeout: .seconds(20))
                    #expect(stream.events.map(\.position) == [head])
                    #expect(stream.events.first?.event == "project.updated")
                    await stream.close()
                }
            }
        }
    }

    @Test func aClientThatFallsBehindIsEndedNotBuffered() async throws {
        try await World.withSQLite { store in
            var configuration = LiveConfiguration()
            configuration.bufferCapacity = 3
            configuration.heartbeat = .seconds(3600)
            let feed = LiveFeed(store: store, configuration: configuration, logger: World.logger)
            let account = UUID()
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await feed.run() }
                let slow = try await feed.subscribe(account: account, after: nil)
                let other = try await feed.subscribe(account: UUID(), after: nil)
                for i in 0..<6 {
                    let event = ProposedEvent(id: UUID(), type: "test.note", data: ["n": .number(Double(i))], accountID: account, actor: .service("tests"))
                    _ = try await store.append([event], to: StreamID(rawValue: "note-\(i)"), expected: .noStream)
                }
                // The slow one's buffer filled: it is ended and dropped; the other account's is untouched.
                let deadline = ContinuousClock.now + .seconds(10)
                while slow.endReason == nil, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
                #expect(slow.endReason == .slowClient)
                #expect(feed.subscriberCount == 1)
                var delivered: [Int64] = []
                for try await item in slow { if case .event(let e) = item { delivered.append(e.position) } }
                #expect(delivered == [1, 2, 3], "what was buffered is delivered, then it ends: the client resumes after 3")
                other.finish()
                group.cancelAll()
            }
        }
    }
}
