import ApexDomain
import ApexServer
import ApexStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// A project's past through the API: the audit trail in exactly the design brief's shape,
/// any version, diffs between versions, and reverts that add an event and keep the status.
@Suite struct HistoryTests {
    /// Creates a project and gives it three more versions; returns its id.
    static func history(_ world: World, _ client: some TestClientProtocol) async throws -> String {
        let created = try await client.call(
            .post, "/v1/projects", as: world.token("owner"),
            json: ["name": "Old Name", "tags": ["north"], "site": ["city": "Austin", "state": "TX"]], headers: [.xRequestID: "create-1"])
        #expect(created.code == 201, "\(created.text)")
        let id = try #require(created["id"]?.stringValue)
        #expect(created.headers[.location] == "/v1/projects/\(id)")
        #expect(created.eTag == "\"1\"")
        #expect(created["created_by"] == .string(world.user("owner").lowercased))
        let renamed = try await client.call(
            .patch, "/v1/projects/\(id)", as: world.token("owner"), json: ["name": "New Name", "site": ["city": "Dallas", "state": "TX"]])
        #expect(renamed.code == 200, "\(renamed.text)")
        let moved = try await client.call(
            .post, "/v1/projects/\(id)/status", as: world.token("estimator"), json: ["status": "estimating"],
            headers: [.xRequestID: "status-3", .traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"])
        #expect(moved.code == 200, "\(moved.text)")
        let described = try await client.call(.patch, "/v1/projects/\(id)", as: world.token("estimator"), json: ["description": "Added", "tags": ["north", "lit"]])
        #expect(described["tags"] == ["lit", "north"])
        return id
    }

    @Test(arguments: StoreKind.allCases)
    func theAuditTrailHasTheBriefsShape(_ kind: StoreKind) async throws {
        try await World.with(kind, withProjects: false) { world in
            try await world.test { client in
                let id = try await Self.history(world, client)
                let trail = try await client.call(.get, "/v1/projects/\(id)/events", as: world.token("owner"))
                #expect(trail.code == 200)
                let items = trail.items
                try #require(items.count == 4)
                for (i, item) in items.enumerated() {
                    #expect(Set(item.objectValue?.keys ?? [:].keys) == ["position", "version", "type", "recorded_at", "actor", "reason", "request_metadata", "before", "after", "diff"])
                    #expect(Set(item["request_metadata"]?.objectValue?.keys ?? [:].keys) == ["ip_address", "user_agent", "x_forwarded_for", "request_id", "trace_id"])
                    #expect(item["version"] == .number(Double(i + 1)))
                    #expect(Timestamp.parse(item["recorded_at"]?.stringValue ?? "") != nil)
                    #expect(Set(item["diff"]?.objectValue?.keys ?? [:].keys) == ["changed", "added", "removed"])
                }
                let positions = items.compactMap { $0["position"]?.numberValue }
                #expect(positions == positions.sorted() && Set(positions).count == 4)
                #expect(items.map { $0["type"]?.stringValue } == ["project.created", "project.updated", "project.status_changed", "project.updated"])

                // Created: nothing before, every field added.
                #expect(items[0]["before"] == [:])
                #expect(items[0]["after"]?["name"] == "Old Name")
                #expect(items[0]["after"]?["status"] == "draft")
                #expect(items[0]["diff"]?["added"]?["name"] == "Old Name")
                #expect(items[0]["diff"]?["changed"] == [:])
                #expect(items[0]["actor"] == ["user_id": .string(world.user("owner").lowercased), "name": "Olive Owner", "email": "owner@acme.example"])
                #expect(items[0]["request_metadata"]?["request_id"] == "create-1")

                // Updated: dotted paths for nested fields; unchanged fields are not in the diff.
                #expect(items[1]["diff"] == [
                    "changed": ["name": ["before": "Old Name", "after": "New Name"], "site.city": ["before": "Austin", "after": "Dallas"]],
                    "added": [:], "removed": [:],
                ])
                #expect(items[1]["before"]?["name"] == "Old Name")
                #expect(items[1]["after"]?["name"] == "New Name")
                #expect(items[1]["after"]?["site"]?["city"] == "Dallas")

                // Status change: who, with which request and trace.
                #expect(items[2]["diff"]?["changed"] == ["status": ["before": "draft", "after": "estimating"]])
                #expect(items[2]["actor"]?["user_id"] == .string(world.user("estimator").lowercased))
                #expect(items[2]["request_metadata"]?["request_id"] == "status-3")
                #expect(items[2]["request_metadata"]?["trace_id"] == "0af7651916cd43dd8448eb211c80319c")
                #expect(items[2]["reason"] == .null)

                // Sets compare as whole values.
                #expect(items[3]["diff"]?["changed"] == [
                    "description": ["before": "", "after": "Added"], "tags": ["before": ["north"], "after": ["lit", "north"]],
                ])
            }
        }
    }

    @Test func versionsAndDiffs() async throws {
        try await World.with(withProjects: false) { world in
            try await world.test { client in
                let id = try await Self.history(world, client)
                let owner = world.token("owner")
                let v1 = try await client.call(.get, "/v1/projects/\(id)/versions/1", as: owner)
                #expect(v1.code == 200)
                #expect(v1.eTag == "\"1\"")
                #expect(v1["name"] == "Old Name")
                #expect(v1["version"] == 1)
                #expect(v1["status"] == "draft")
                #expect(v1["site"] == ["address": nil, "city": "Austin", "state": "TX", "country": nil])
                let v3 = try await client.call(.get, "/v1/projects/\(id)/versions/3", as: owner)
                #expect(v3["name"] == "New Name")
                #expect(v3["status"] == "estimating")
                #expect(v3["description"] == "")
                for n in ["0", "5", "-1", "x", "99999999999999999999"] {
                    expectProblem(try await client.call(.get, "/v1/projects/\(id)/versions/\(n)", as: owner), 404, "not_found")
                }

                let diff = try await client.call(.get, "/v1/projects/\(id)/diff?from=1&to=4", as: owner)
                #expect(diff.code == 200)
                #expect(diff["from"] == 1)
                #expect(diff["to"] == 4)
                #expect(diff["diff"]?["changed"] == [
                    "name": ["before": "Old Name", "after": "New Name"], "site.city": ["before": "Austin", "after": "Dallas"],
                    "status": ["before": "draft", "after": "estimating"], "description": ["before": "", "after": "Added"],
                    "tags": ["before": ["north"], "after": ["lit", "north"]],
                ])
                let backwards = try await client.call(.get, "/v1/projects/\(id)/diff?from=2&to=1", as: owner)
                #expect(backwards["diff"]?["changed"]?["name"] == ["before": "New Name", "after": "Old Name"])
                let latest = try await client.call(.get, "/v1/projects/\(id)/diff", as: owner)
                #expect(latest["from"] == 3)
                #expect(latest["to"] == 4)
                let fromNothing = try await client.call(.get, "/v1/projects/\(id)/diff?from=0&to=1", as: owner)
                #expect(fromNothing["diff"]?["added"]?["name"] == "Old Name")
                for query in ["from=-1", "from=a", "to=1.5"] {
                    let bad = try await client.call(.get, "/v1/projects/\(id)/diff?\(query)", as: owner)
                    expectProblem(bad, 400, "invalid_query", field: String(query.prefix { $0 != "=" }))
                }
                // A well-formed version the project has not reached names nothing, as /versions/{n} does.
                for query in ["from=5", "to=5"] {
                    let past = try await client.call(.get, "/v1/projects/\(id)/diff?\(query)", as: owner)
                    expectProblem(past, 404, "not_found", field: String(query.prefix { $0 != "=" }))
                }
            }
        }
    }

    @Test(arguments: StoreKind.allCases)
    func revertRestoresTheFieldsOfVersionNWithANewEventAndKeepsTheStatus(_ kind: StoreKind) async throws {
        try await World.with(kind, withProjects: false) { world in
            try await world.test { client in
                let id = try await Self.history(world, client)
                let reverted = try await client.call(
                    .post, "/v1/projects/\(id)/revert", as: world.token("estimator"), json: ["to_version": 1, "reason": "the client changed their mind"])
                #expect(reverted.code == 200, "\(reverted.text)")
                #expect(reverted["name"] == "Old Name")
                #expect(reverted["description"] == "")
                #expect(reverted["tags"] == ["north"])
                #expect(reverted["site"]?["city"] == "Austin")
                #expect(reverted["status"] == "estimating")
                #expect(reverted["version"] == 5)
                #expect(reverted.eTag == "\"5\"")

                let trail = try await client.call(.get, "/v1/projects/\(id)/events", as: world.token("owner")).items
                #expect(trail.count == 5)
                let last = try #require(trail.last)
                #expect(last["type"] == "project.reverted")
                #expect(last["reason"] == "the client changed their mind")
                #expect(last["diff"]?["changed"]?["status"] == nil)
                #expect(last["diff"]?["changed"]?["name"] == ["before": "New Name", "after": "Old Name"])
                // Nothing is erased: version 4 still reads as it was.
                #expect(try await client.call(.get, "/v1/projects/\(id)/versions/4", as: world.token("owner"))["name"] == "New Name")
            }
        }
    }

    @Test func revertNeverTouchesStatusCalculationsOrApprovals() async throws {
        try await World.with { world in
            let id = world.project("approved").lowercased, first = world.firstCalcs["approved"]!.lowercased
            try await world.test { client in
                _ = try await client.call(.patch, "/v1/projects/\(id)", as: world.token("owner"), json: ["name": "Renamed after approval"])
                let reverted = try await client.call(.post, "/v1/projects/\(id)/revert", as: world.token("owner"), json: ["to_version": 1, "reason": "undo the rename"])
                #expect(reverted.code == 200, "\(reverted.text)")
                #expect(reverted["name"] == "Pylon approved")
                #expect(reverted["status"] == "approved")
                let calcs = try await client.call(.get, "/v1/projects/\(id)/calculations", as: world.token("owner")).items
                #expect(calcs.count == 2)
                let approved = try #require(calcs.first { $0["calculation_id"] == .string(first) })
                #expect(approved["approval"]?["by"] == .string(world.user("owner").lowercased))
                let trail = try await client.call(.get, "/v1/projects/\(id)/events", as: world.token("owner")).items
                #expect(trail.last?["diff"] == ["changed": ["name": ["before": "Renamed after approval", "after": "Pylon approved"]], "added": [:], "removed": [:]])
            }
        }
    }
}
