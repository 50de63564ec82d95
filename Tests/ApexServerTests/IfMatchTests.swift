import ApexDomain
import ApexServer
import ApexStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// Optimistic concurrency over HTTP: `ETag: "<version>"`, `If-Match` → 412 when stale, and
/// without `If-Match` a lost race is retried rather than reported.
@Suite struct IfMatchTests {
    @Test(arguments: StoreKind.allCases)
    func staleIsA412AndCurrentMovesTheETag(_ kind: StoreKind) async throws {
        try await World.with(kind) { world in
            let path = "/v1/projects/\(world.project("draft").lowercased)"
            let owner = world.token("owner")
            try await world.test { client in
                let read = try await client.call(.get, path, as: owner)
                let version = try #require(read["version"]?.numberValue).rounded()
                #expect(read.eTag == "\"\(Int(version))\"")

                let stale = try await client.call(.patch, path, as: owner, json: ["name": "Stale"], headers: [.ifMatch: "\"\(Int(version) - 1)\""])
                expectProblem(stale, 412, "precondition_failed")
                #expect(try await world.projectVersion(world.project("draft")) == Int64(version))

                let current = try await client.call(.patch, path, as: owner, json: ["name": "Current"], headers: [.ifMatch: read.eTag!])
                #expect(current.code == 200, "\(current.text)")
                #expect(current.eTag == "\"\(Int(version) + 1)\"")
                #expect(current["name"] == "Current")
                #expect(current["version"]?.numberValue == version + 1)

                // Weak and bare forms name the same version; the old ETag is now stale everywhere.
                let weak = try await client.call(.patch, path, as: owner, json: ["name": "Weak"], headers: [.ifMatch: "W/\"\(Int(version) + 1)\""])
                #expect(weak.code == 200)
                let bare = try await client.call(
                    .post, path + "/status", as: owner, json: ["status": "estimating"], headers: [.ifMatch: "\(Int(version) + 2)"])
                #expect(bare.code == 200)
                let old = try await client.call(.post, path + "/revert", as: owner, json: ["to_version": 1, "reason": "undo"], headers: [.ifMatch: read.eTag!])
                expectProblem(old, 412, "precondition_failed")
                let oldDelete = try await client.call(.delete, path, as: owner, json: ["reason": "gone"], headers: [.ifMatch: read.eTag!])
                expectProblem(oldDelete, 412, "precondition_failed")

                // `*` matches whatever the current version is.
                let any = try await client.call(.patch, path, as: owner, json: ["name": "Any"], headers: [.ifMatch: "*"])
                #expect(any.code == 200, "\(any.text)")
                #expect(any.eTag == "\"\(Int(version) + 4)\"")
                let junk = try await client.call(.patch, path, as: owner, json: ["name": "Junk"], headers: [.ifMatch: "\"three\""])
                expectProblem(junk, 400, "invalid_header", field: "If-Match")
            }
            #expect(try await world.projectVersion(world.project("draft")) == 7)
        }
    }

    /// Calculations answer with the project's ETag and honour If-Match as well.
    @Test func calculationRoutesHonourIfMatch() async throws {
        try await World.with { world in
            let project = world.project("draft").lowercased, calc = world.calcs["draft"]!.lowercased
            try await world.test { client in
                let stale = try await client.call(
                    .put, "/v1/projects/\(project)/calculations/\(calc)", as: world.token("engineer"),
                    json: ["inputs": ["V": 130, "exposure": "C", "z": 15]], headers: [.ifMatch: "\"1\""])
                expectProblem(stale, 412, "precondition_failed")
                let current = try await client.call(
                    .put, "/v1/projects/\(project)/calculations/\(calc)", as: world.token("engineer"),
                    json: ["inputs": ["V": 130, "exposure": "C", "z": 15]], headers: [.ifMatch: "\"3\""])
                #expect(current.code == 200, "\(current.text)")
                #expect(current.eTag == "\"4\"")
                #expect(current["revision"] == 2)
            }
        }
    }

    /// A competing write lands between the server's read and its append: without If-Match the
    /// server reads again and succeeds; with If-Match the client is told its version went stale.
    @Test func aLostRaceIsRetriedWithoutIfMatchAndA412WithIt() async throws {
        try await World.with { world in
            let proxy = ProxyStore(world.store)
            let racy = try await world.rebuilt(over: proxy)
            let id = world.project("draft")
            let account = world.account, admin = world.user("admin")
            @Sendable func competing(_ name: String) throws -> [ProposedEvent] {
                [try ProposedEvent(id: UUID(), ProjectUpdated(changes: ["description": .string(name)]), accountID: account, actor: .user(admin))]
            }
            try await racy.test { client in
                proxy.race(.project(id), with: try competing("written by the admin meanwhile"))
                let retried = try await client.call(.patch, "/v1/projects/\(id.lowercased)", as: world.token("owner"), json: ["name": "Renamed"])
                #expect(retried.code == 200, "\(retried.text)")
                #expect(retried["version"] == 5)
                #expect(retried["name"] == "Renamed")
                #expect(retried["description"] == "written by the admin meanwhile")

                proxy.race(.project(id), with: try competing("and again"))
                let guarded = try await client.call(
                    .patch, "/v1/projects/\(id.lowercased)", as: world.token("owner"), json: ["name": "Guarded"], headers: [.ifMatch: "\"5\""])
                expectProblem(guarded, 412, "precondition_failed")
            }
            let events = try await world.store.readStream(.project(id))
            #expect(events.count == 6)
            #expect(!events.contains { $0.data["changes"]?["name"] == "Guarded" })
        }
    }

    @Test(arguments: StoreKind.allCases)
    func concurrentEditsWithoutIfMatchAllLand(_ kind: StoreKind) async throws {
        try await World.with(kind) { world in
            let id = world.project("draft")
            let before = try await world.projectVersion(id)
            let writers = 5
            let codes = try await world.test { client in
                try await withThrowingTaskGroup(of: Int.self) { group in
                    for i in 0..<writers {
                        group.addTask {
                            try await client.call(.patch, "/v1/projects/\(id.lowercased)", as: world.token("estimator"), json: ["description": .string("writer \(i)")]).code
                        }
                    }
                    return try await group.reduce(into: [Int]()) { $0.append($1) }
                }
            }
            #expect(codes == Array(repeating: 200, count: writers))
            let events = try await world.store.readStream(.project(id))
            #expect(events.count == Int(before) + writers)
            #expect(events.map(\.version) == Array(1...Int64(events.count)))
        }
    }

    /// A bad body is a 400 (or 422) whatever `If-Match` says: the body is validated before the
    /// precondition (security review finding 8), so a client is never told to re-read a resource
    /// when its request could not succeed anyway.
    @Test func theBodyIsValidatedBeforeThePrecondition() async throws {
        try await World.with { world in
            let path = "/v1/projects/\(world.project("draft").lowercased)"
            let owner = world.token("owner")
            let stale: HTTPFields = [.ifMatch: "\"1\""]
            try await world.test { client in
                expectProblem(try await client.call(.patch, path, as: owner, raw: "{", headers: stale), 400, "malformed_json")
                expectProblem(try await client.call(.patch, path, as: owner, json: ["nope": 1], headers: stale), 400, "unknown_field", field: "nope")
                expectProblem(try await client.call(.post, path + "/status", as: owner, json: ["status": "nowhere"], headers: stale), 400, "invalid_field")
                expectProblem(try await client.call(.post, path + "/revert", as: owner, json: [:], headers: stale), 400, "missing_field")
                expectProblem(try await client.call(.patch, path, as: owner, json: ["name": ""], headers: stale), 422, "invalid_input", field: "name")
                // A valid body with the stale version is still a 412.
                expectProblem(try await client.call(.patch, path, as: owner, json: ["name": "Fine"], headers: stale), 412, "precondition_failed")
            }
        }
    }
}
