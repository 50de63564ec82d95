import ApexDomain
@testable import ApexServer
import ApexStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// Project states cached between requests: caught up from the store on every load, so two API
/// instances writing to the same projects in any order each load exactly what a full replay gives;
/// the least recently used states go first when the budget is spent.
@Suite struct ProjectStateCacheTests {
    /// A small seeded generator, so a failing interleaving can be run again.
    struct SplitMix: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func twoInstancesInterleavedLoadWhatAFullReplayGives(_ kind: StoreKind) async throws {
        try await World.with(kind) { first in
            let second = try await first.rebuilt()
            let seed = UInt64.random(in: 0...UInt64.max)
            let projects = ["draft", "own", "approved"].map { first.project($0) }
            let owner = first.token("owner")
            try await first.test { a in
                try await second.test { b in
                    var rng = SplitMix(state: seed)
                    for step in 0..<60 {
                        let (world, client) = Bool.random(using: &rng) ? (first, a) : (second, b)
                        let id = projects.randomElement(using: &rng)!
                        let path = "/v1/projects/\(id.lowercased)"
                        switch Int.random(in: 0..<4, using: &rng) {
                        case 0: _ = try await client.call(.get, path, as: owner)
                        case 1:
                            let reply = try await client.call(.patch, path, as: owner, json: ["description": .string("step \(step)")])
                            #expect(reply.code == 200 || reply.code == 409, "seed \(seed) step \(step): \(reply.text)")
                        case 2:
                            let reply = try await client.call(.patch, path, as: owner, json: ["tags": .array([.string("t\(step)")])])
                            #expect(reply.code == 200 || reply.code == 409, "seed \(seed) step \(step): \(reply.text)")
                        default:
                            let status = ["estimating", "draft", "submitted"].randomElement(using: &rng)!
                            _ = try await client.call(.post, path + "/status", as: owner, json: ["status": .string(status)])
                        }
                        let loaded = try #require(try await world.api.loadProject(id))
                        let replayed = try ProjectState.replay(try await first.store.readStream(.project(id), from: 1, limit: .max, mode: .stored))
                        #expect(loaded.state == replayed, "seed \(seed) step \(step)")
                    }
                }
            }
            for id in projects {
                let replayed = try ProjectState.replay(try await first.store.readStream(.project(id), from: 1, limit: .max, mode: .stored))
                #expect(try await first.api.loadProject(id)?.state == replayed, "seed \(seed)")
                #expect(try await second.api.loadProject(id)?.state == replayed, "seed \(seed)")
                #expect(replayed.version > 3, "seed \(seed): the projects were written")
            }
            #expect(await first.api.states.usage.count == projects.count)
        }
    }

    @Test func leastRecentlyUsedGoFirstWithinTheBudget() async throws {
        try await World.with { world in
            let ids = ["draft", "own", "approved"].map { world.project($0) }
            var states: [ProjectState] = []
            for id in ids { states.append(try #require(try await world.api.loadProject(id)).state) }
            let sizes = states.map(ProjectStateCache.estimatedSize)
            // Room for the two largest, not for all three.
            let cache = ProjectStateCache(budget: sizes.sorted().suffix(2).reduce(0, +))
            await cache.store(states[0], for: ids[0])
            await cache.store(states[1], for: ids[1])
            #expect(await cache.state(of: ids[0]) == states[0])
            await cache.store(states[2], for: ids[2])
            // ids[1] was used least recently.
            #expect(await cache.state(of: ids[1]) == nil)
            #expect(await cache.state(of: ids[0]) == states[0])
            #expect(await cache.state(of: ids[2]) == states[2])
            #expect(await cache.usage.bytes == sizes[0] + sizes[2])
            // An older state never replaces a newer one.
            var older = states[0]
            older.version -= 1
            await cache.store(older, for: ids[0])
            #expect(await cache.state(of: ids[0]) == states[0])
            // A budget of zero keeps nothing; loads still answer by replay.
            let none = try await world.rebuilt { $0.stateCacheMegabytes = 0 }
            #expect(try await none.api.loadProject(ids[2])?.state == states[2])
            #expect(await none.api.states.usage.count == 0)
        }
    }

    /// Writes from many clients of one instance to one project queue instead of conflicting.
    @Test func concurrentPatchesWithoutIfMatchAllSucceed() async throws {
        try await World.with { world in
            let owner = world.token("owner")
            let clients = 8, each = 12
            try await world.test { client in
                let created = try await client.call(.post, "/v1/projects", as: owner, json: ["name": "Busy pylon"])
                #expect(created.code == 201)
                let id = try #require(created["id"]?.stringValue)
                let codes = try await withThrowingTaskGroup(of: [Int].self) { group in
                    for c in 0..<clients {
                        group.addTask {
                            var codes: [Int] = []
                            for n in 0..<each {
                                let reply = try await client.call(.patch, "/v1/projects/\(id)", as: owner, json: ["name": .string("Pylon \(c)-\(n)")])
                                codes.append(reply.code)
                            }
                            return codes
                        }
                    }
                    return try await group.reduce(into: []) { $0 += $1 }
                }
                let ok = codes.filter { $0 == 200 }.count
                #expect(codes.count == clients * each)
                #expect(ok == clients * each, "answers other than 200: \(codes.filter { $0 != 200 })")
                #expect(try await world.projectVersion(try #require(UUID(uuidString: id))) == Int64(1 + ok))
                let read = try await client.call(.get, "/v1/projects/\(id)", as: owner)
                #expect(read.eTag == "\"\(1 + ok)\"")
            }
            #expect(await world.api.writes.busy == 0)
        }
    }
}
