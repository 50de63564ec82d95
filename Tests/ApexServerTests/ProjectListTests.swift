import ApexDomain
import ApexServer
import ApexStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// `GET /v1/projects`: only what the caller may view, filtered by status, tag, text and creation
/// time, newest first, paged by cursor.
@Suite struct ProjectListTests {
    static func ids(_ reply: Reply) -> [String] { reply.items.compactMap { $0["id"]?.stringValue } }

    @Test func eachRoleListsWhatItMayView() async throws {
        try await World.with { world in
            let id = { @Sendable (state: String) in world.project(state).lowercased }
            try await world.test { client in
                let expected: [(String, String, Set<String>)] = [
                    ("owner", "", [id("draft"), id("approved"), id("own")]),
                    ("owner", "?deleted=true", [id("draft"), id("approved"), id("own"), id("deleted")]),
                    ("admin", "", [id("draft"), id("approved"), id("own")]),
                    ("engineer", "", [id("draft"), id("approved"), id("own")]),
                    ("estimator", "", [id("draft"), id("approved"), id("own")]),
                    ("fabricator", "", [id("approved")]),
                    ("fabricator", "?deleted=true", [id("approved")]),
                    ("client", "", [id("own")]),
                    ("client", "?deleted=true", [id("own")]),
                ]
                for (who, query, visible) in expected {
                    let reply = try await client.call(.get, "/v1/projects\(query)", as: world.token(who))
                    #expect(reply.code == 200)
                    #expect(Set(Self.ids(reply)) == visible, "\(who) \(query)")
                    #expect(reply["next_cursor"] == .null)
                }
            }
        }
    }

    @Test(arguments: StoreKind.allCases)
    func filters(_ kind: StoreKind) async throws {
        try await World.with(kind, withProjects: false) { world in
            let owner = world.token("owner")
            try await world.test { client in
                var created: [Reply] = []
                for body: JSONValue in [
                    ["name": "Alpha Pylon", "tags": ["north"], "description": "Monument sign"],
                    ["name": "Beta Board", "tags": ["south", "lit"]],
                    ["name": "Gamma Gantry", "tags": ["north", "lit"], "description": "Over the ALPHA road"],
                ] {
                    created.append(try await client.call(.post, "/v1/projects", as: owner, json: body))
                }
                let (p1, p2, p3) = (created[0]["id"]!.stringValue!, created[1]["id"]!.stringValue!, created[2]["id"]!.stringValue!)
                let (t1, t2, t3) = (created[0]["created_at"]!.stringValue!, created[1]["created_at"]!.stringValue!, created[2]["created_at"]!.stringValue!)
                #expect(t1 < t2 && t2 < t3)
                _ = try await client.call(.post, "/v1/projects/\(p2)/status", as: owner, json: ["status": "estimating"])

                let cases: [(String, [String])] = [
                    ("", [p3, p2, p1]),
                    ("?status=estimating", [p2]),
                    ("?status=draft", [p3, p1]),
                    ("?status=completed", []),
                    ("?tag=north", [p3, p1]),
                    ("?tag=lit", [p3, p2]),
                    ("?tag=North", []),
                    ("?q=alpha", [p3, p1]),
                    ("?q=GANTRY", [p3]),
                    ("?q=monument", [p1]),
                    ("?q=nothing-like-this", []),
                    ("?created_from=\(t2)", [p3, p2]),
                    ("?created_to=\(t2)", [p1]),
                    ("?created_from=\(t1)&created_to=\(t3)", [p2, p1]),
                    ("?created_from=2000-01-01", [p3, p2, p1]),
                    ("?created_to=2000-01-01", []),
                    ("?tag=north&status=draft&q=a", [p3, p1]),
                ]
                for (query, expected) in cases {
                    let reply = try await client.call(.get, "/v1/projects\(query)", as: owner)
                    #expect(reply.code == 200, "\(query): \(reply.text)")
                    #expect(Self.ids(reply) == expected, "\(query)")
                }
                let item = try #require(try await client.call(.get, "/v1/projects?q=beta", as: owner).items.first)
                #expect(Set(item.objectValue!.keys) == [
                    "id", "account_id", "name", "description", "client_id", "tags", "site", "status", "version", "created_at", "created_by",
                    "updated_at", "updated_by", "deleted",
                ])
                #expect(item["version"] == 2)
            }
        }
    }

    @Test(arguments: StoreKind.allCases)
    func cursorPagingVisitsEveryProjectOnce(_ kind: StoreKind) async throws {
        try await World.with(kind, withProjects: false) { world in
            let owner = world.token("owner")
            try await world.test { client in
                var made: [String] = []
                for i in 1...7 {
                    made.append(try #require(try await client.call(.post, "/v1/projects", as: owner, json: ["name": .string("Sign \(i)")])["id"]?.stringValue))
                }
                var seen: [String] = [], pages: [Int] = []
                var cursor: String?
                repeat {
                    let query = "?limit=3" + (cursor.map { "&cursor=\($0.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)" } ?? "")
                    let page = try await client.call(.get, "/v1/projects\(query)", as: owner)
                    #expect(page.code == 200, "\(page.text)")
                    seen += Self.ids(page)
                    pages.append(page.items.count)
                    cursor = page["next_cursor"]?.stringValue
                } while cursor != nil && pages.count < 10
                #expect(pages == [3, 3, 1])
                #expect(seen == made.reversed())
                // Exactly a page's worth left: no dangling empty page.
                let six = try await client.call(.get, "/v1/projects?limit=7", as: owner)
                #expect(six.items.count == 7)
                #expect(six["next_cursor"] == .null)
            }
        }
    }

    @Test func badQueriesAre400s() async throws {
        try await World.with(withProjects: false) { world in
            try await world.test { client in
                let cases: [(String, String)] = [
                    ("limit=0", "limit"), ("limit=201", "limit"), ("limit=x", "limit"), ("limit=-3", "limit"),
                    ("status=flying", "status"), ("created_from=yesterday", "created_from"), ("created_to=2026-13-01", "created_to"),
                    ("cursor=garbage!", "cursor"), ("cursor=\(Data("no-bar".utf8).base64EncodedString())", "cursor"),
                ]
                for (query, field) in cases {
                    expectProblem(try await client.call(.get, "/v1/projects?\(query)", as: world.token("owner")), 400, "invalid_query", field: field)
                }
                #expect(try await client.call(.get, "/v1/projects?limit=200", as: world.token("owner")).code == 200)
            }
        }
    }
}
