import ApexDomain
import ApexServer
import ApexStore
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

/// The project's audit trail a page at a time (`from_version`, `limit`, `next_from_version`):
/// the pages put together are the whole trail, each page's first entry replayed from the state
/// before it; bad parameters are 400 `invalid_query`; a client still sees no personal data.
@Suite struct HistoryPagingTests {
    /// Every page of the trail as `user`, following `next_from_version` from the first page.
    static func pages(_ client: some TestClientProtocol, _ path: String, as token: String, limit: Int) async throws -> [[JSONValue]] {
        var pages: [[JSONValue]] = []
        var query = "?limit=\(limit)"
        while true {
            let page = try await client.call(.get, path + "/events" + query, as: token)
            try #require(page.code == 200, "\(page.text)")
            pages.append(page.items)
            guard let next = page["next_from_version"]?.numberValue else {
                #expect(page["next_from_version"] == .null)
                return pages
            }
            #expect(next == page.items.last?["version"]?.numberValue.map { $0 + 1 })
            query = "?from_version=\(Int(next))&limit=\(limit)"
        }
    }

    @Test(arguments: StoreKind.allCases)
    func pagesOfAHundredMakeTheWholeTrail(_ kind: StoreKind) async throws {
        try await World.with(kind) { world in
            let id = world.project("own")
            let path = "/v1/projects/\(id.lowercased)"
            try await world.test { client in
                let owner = world.token("owner")
                var version = try #require(try await client.call(.get, path, as: owner)["version"]?.numberValue)
                while version < 250 {
                    let edit = try await client.call(
                        .patch, path, as: owner, json: ["description": .string("edit \(Int(version))")], headers: [.userAgent: "Paging/1.0"])
                    try #require(edit.code == 200, "\(edit.text)")
                    version += 1
                }

                let hundreds = try await Self.pages(client, path, as: owner, limit: 100)
                #expect(hundreds.map(\.count) == [100, 100, 50])
                let trail = hundreds.flatMap { $0 }
                #expect(trail.compactMap { $0["version"]?.numberValue } == (1...250).map(Double.init))
                // The same trail in pages of another size, and as the domain replays the whole stream.
                #expect(try await Self.pages(client, path, as: owner, limit: 200).flatMap { $0 } == trail)
                let replayed = try ProjectHistory(events: try await world.store.readStream(.project(id))).auditTrail()
                #expect(replayed.map(\.before) == trail.map { $0["before"] ?? .null })
                #expect(replayed.map(\.after) == trail.map { $0["after"] ?? .null })
                #expect(replayed.map(\.diff.json) == trail.map { $0["diff"] ?? .null })
                #expect(trail[100]["diff"]?["changed"]?["description"] == ["before": "edit 99", "after": "edit 100"])
                #expect(trail.last?["request_metadata"]?["user_agent"] == "Paging/1.0")

                // The project's client pages the same trail with no personal data and no names.
                let seen = try await Self.pages(client, path, as: world.token("client"), limit: 100).flatMap { $0 }
                #expect(seen.count == 250)
                for (theirs, ours) in zip(seen, trail) {
                    #expect(theirs["request_metadata"]?["user_agent"] == .null && theirs["request_metadata"]?["ip_address"] == .null)
                    #expect(theirs["request_metadata"]?["x_forwarded_for"] == .null)
                    #expect(theirs["actor"]?.objectValue?.keys.sorted() == ["user_id"])
                    #expect(theirs["after"] == ours["after"] && theirs["diff"] == ours["diff"])
                }

                // Past the end: an empty page, no next.
                let past = try await client.call(.get, path + "/events?from_version=251", as: owner)
                #expect(past.code == 200 && past.items.isEmpty && past["next_from_version"] == .null, "\(past.text)")
            }
        }
    }

    @Test func badPageParametersAreInvalidQueries() async throws {
        try await World.with { world in
            let path = "/v1/projects/\(world.project("draft").lowercased)/events"
            try await world.test { client in
                for query in ["from_version=0", "from_version=-1", "from_version=x", "from_version=1.5", "from_version=99999999999999999999"] {
                    expectProblem(try await client.call(.get, path + "?" + query, as: world.token("owner")), 400, "invalid_query", field: "from_version")
                }
                for query in ["limit=0", "limit=201", "limit=ten"] {
                    expectProblem(try await client.call(.get, path + "?" + query, as: world.token("owner")), 400, "invalid_query", field: "limit")
                }
            }
        }
    }
}
