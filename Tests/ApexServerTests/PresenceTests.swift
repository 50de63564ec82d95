import ApexDomain
import ApexLive
import ApexServer
import ApexStore
import Foundation
import NIOHTTP1
import Synchronization
import Testing

/// Presence over a real socket: heartbeats, who is shown (names to those who may view users),
/// expiry by time (a test clock), and the project's access rule.
@Suite("Presence")
struct PresenceTests {
    final class TestClock: Sendable {
        let now = Mutex(Date(timeIntervalSince1970: 1_800_000_000))
        func advance(_ seconds: TimeInterval) { now.withLock { $0 = $0.addingTimeInterval(seconds) } }
    }

    static func items(_ reply: (status: Int, body: String)) throws -> [JSONValue] {
        #expect(reply.status == 200, "\(reply.body)")
        let json = try JSONDecoder().decode(JSONValue.self, from: Data(reply.body.utf8))
        return json["items"]?.array ?? []
    }

    @Test(arguments: StoreKind.allCases)
    func presenceShowsTwoUsersAndExpiresOne(_ kind: StoreKind) async throws {
        let clock = TestClock()
        try await World.with(kind, configure: { $0.clock = { clock.now.withLock { $0 } } }) { world in
            let other = try await world.otherAccount()
            try await LiveServer.with(world.api) { server in
                let path = "/v1/projects/\(world.project("approved").lowercased)/presence"
                let start = Timestamp.format(clock.now.withLock { $0 })
                let alone = try Self.items(try await server.call(path, as: world.token("owner"), method: .POST))
                #expect(alone.map { $0["user_id"] } == [.string(world.user("owner").lowercased)])
                #expect(alone.first?["since"] == .string(start))

                clock.advance(10)
                let both = try Self.items(try await server.call(path, as: world.token("fabricator"), method: .POST))
                #expect(both.map { $0["user_id"] } == [.string(world.user("owner").lowercased), .string(world.user("fabricator").lowercased)])
                // Names for those who may view users; ids only for a fabricator.
                #expect(try Self.items(try await server.call(path, as: world.token("owner"))).map { $0["name"] } == ["Olive Owner", "fabricator"])
                #expect(both.map { $0["name"] } == [.null, .null])

                // The owner's last heartbeat is 35 s old, past the 30 s TTL; the fabricator's is 5 s old after one more.
                clock.advance(20)
                _ = try await server.call(path, as: world.token("fabricator"), method: .POST)
                clock.advance(15)
                let one = try Self.items(try await server.call(path, as: world.token("engineer")))
                #expect(one.map { $0["user_id"] } == [.string(world.user("fabricator").lowercased)])
                #expect(one.first?["last_seen_at"] == .string(Timestamp.format(Date(timeIntervalSince1970: 1_800_000_030))))

                // Back after expiring: present since the new heartbeat.
                let back = try Self.items(try await server.call(path, as: world.token("owner"), method: .POST))
                #expect(back.last?["user_id"] == .string(world.user("owner").lowercased))
                #expect(back.last?["since"] == .string(Timestamp.format(clock.now.withLock { $0 })))

                // The project's rule: a client may not see it; another account's project is 404.
                #expect(try await server.call(path, as: world.token("client"), method: .POST).status == 404)
                #expect(try await server.call("/v1/projects/\(other.project.lowercased)/presence", as: world.token("owner")).status == 404)
                #expect(try await server.call("/v1/projects/\(other.project.lowercased)/presence", as: world.token("owner"), method: .POST).status == 404)
            }
        }
    }

    @Test(arguments: StoreKind.allCases)
    func theProjectStreamSaysWhenPresenceChanges(_ kind: StoreKind) async throws {
        let clock = TestClock()
        try await World.with(kind, configure: {
            $0.clock = { clock.now.withLock { $0 } }
            $0.live.heartbeat = .milliseconds(100)
        }) { world in
            try await LiveServer.with(world.api) { server in
                let approved = world.project("approved").lowercased
                let stream = try await server.stream("/v1/projects/\(approved)/stream", as: world.token("owner"))
                let fabricator = try await server.stream("/v1/projects/\(approved)/stream", as: world.token("fabricator"))
                _ = try await server.call("/v1/projects/\(approved)/presence", as: world.token("fabricator"), method: .POST)
                func presence(_ s: SSEStream) -> [[JSONValue]] {
                    s.events.filter { $0.event == "presence" }.map { $0.json?["items"]?.array ?? [] }
                }
                try await stream.waitUntil { _ in presence(stream).last?.count == 1 }
                #expect(presence(stream).last?.first?["user_id"] == .string(world.user("fabricator").lowercased))
                #expect(presence(stream).last?.first?["name"] == "fabricator")
                #expect(stream.events.filter { $0.event == "presence" }.allSatisfy { $0.id == nil }, "not a log position")
                // Ids only for a fabricator.
                try await fabricator.waitUntil { _ in presence(fabricator).last?.count == 1 }
                #expect(presence(fabricator).last?.first?["name"] == .null)
                // The heartbeat expires: the stream says nobody has it open.
                clock.advance(31)
                try await stream.waitUntil { _ in presence(stream).last?.isEmpty == true }
                // The account-wide stream carries no presence.
                let account = try await server.stream("/v1/stream", as: world.token("owner"))
                _ = try await server.call("/v1/projects/\(approved)/presence", as: world.token("owner"), method: .POST)
                try await stream.waitUntil { _ in presence(stream).last?.count == 1 }
                #expect(presence(account).isEmpty)
                for s in [stream, fabricator, account] { await s.close() }
            }
        }
    }
}
