import ApexDomain
import ApexServer
import ApexStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// The status lifecycle over HTTP: approval only once every calculation's latest revision is
/// approved by a PE, approvals cover one revision, archiving is for owner and admin, and an
/// archived project is read-only until restored.
@Suite struct LifecycleTests {
    @Test(arguments: StoreKind.allCases)
    func approvedOnlyWhenEveryCalculationIsApproved(_ kind: StoreKind) async throws {
        try await World.with(kind, withProjects: false) { world in
            try await world.test { client in
                let estimator = world.token("estimator"), engineer = world.token("engineer"), owner = world.token("owner")
                let id = try #require(try await client.call(.post, "/v1/projects", as: estimator, json: ["name": "Main St pylon"])["id"]?.stringValue)
                let run = try await client.call(
                    .post, "/v1/projects/\(id)/calculations", as: engineer,
                    json: ["type": "sign_wind_force", "inputs": ["V": 115, "exposure": "C", "h": 20, "As": 48, "Cf": 1.8]])
                #expect(run.code == 201, "\(run.text)")
                #expect(run.eTag == "\"2\"")
                let calc = try #require(run["calculation_id"]?.stringValue)
                #expect(run["revision"] == 1)
                #expect(run["engine_version"]?.stringValue?.isEmpty == false)
                #expect(run["result_hash"]?.stringValue?.count == 64)
                #expect(run["outputs"]?["F"]?.numberValue ?? 0 > 0)
                #expect(run["inputs"]?["G"] == 0.85)

                for status in ["estimating", "submitted"] {
                    #expect(try await client.call(.post, "/v1/projects/\(id)/status", as: estimator, json: ["status": .string(status)]).code == 200)
                }
                let early = try await client.call(.post, "/v1/projects/\(id)/status", as: owner, json: ["status": "approved", "reason": "ready"])
                expectProblem(early, 409, "approval_missing")
                #expect(early["detail"]?.stringValue?.contains(calc) == true)

                let approval = try await client.call(
                    .post, "/v1/projects/\(id)/calculations/\(calc)/approve", as: engineer, json: ["revision": 1, "reason": "inputs match the drawings"])
                #expect(approval.code == 201, "\(approval.text)")
                #expect(approval["by"] == .string(world.user("engineer").lowercased))
                #expect(approval["pe_license"] == ["number": "PE-1001", "state": "TX", "expires_on": "2099-12-31", "confirmed_by": .string(world.user("owner").lowercased)])
                #expect(approval["result_hash"] == run["result_hash"])
                #expect(approval["at"]?.stringValue.flatMap(Timestamp.parse) != nil)

                // A new revision is not covered by the old approval.
                let revised = try await client.call(
                    .put, "/v1/projects/\(id)/calculations/\(calc)", as: engineer, json: ["inputs": ["V": 120, "exposure": "C", "h": 20, "As": 48, "Cf": 1.8]])
                #expect(revised["revision"] == 2)
                #expect(revised["result_hash"] != run["result_hash"])
                let listed = try await client.call(.get, "/v1/projects/\(id)/calculations", as: estimator)
                #expect(listed.items.first?["revision"] == 2)
                #expect(listed.items.first?["approval"] == .null)
                expectProblem(try await client.call(.post, "/v1/projects/\(id)/status", as: owner, json: ["status": "approved", "reason": "ready"]), 409, "approval_missing")
                expectProblem(
                    try await client.call(.post, "/v1/projects/\(id)/calculations/\(calc)/approve", as: engineer, json: ["revision": 1, "reason": "old"]),
                    409, "stale_revision", field: "revision")
                #expect(try await client.call(.post, "/v1/projects/\(id)/calculations/\(calc)/approve", as: engineer, json: ["revision": 2, "reason": "rechecked"]).code == 201)

                expectProblem(try await client.call(.post, "/v1/projects/\(id)/status", as: owner, json: ["status": "approved"]), 422, "reason_required", field: "reason")
                let approved = try await client.call(.post, "/v1/projects/\(id)/status", as: owner, json: ["status": "approved", "reason": "all calculations stamped"])
                #expect(approved["status"] == "approved")
                // Now a fabricator sees it, and the rest of the line follows.
                #expect(try await client.call(.get, "/v1/projects/\(id)", as: world.token("fabricator")).code == 200)
                for status in ["in_fabrication", "completed"] {
                    #expect(try await client.call(.post, "/v1/projects/\(id)/status", as: estimator, json: ["status": .string(status)])["status"] == .string(status))
                }
                expectProblem(try await client.call(.post, "/v1/projects/\(id)/status", as: estimator, json: ["status": "draft"]), 409, "invalid_transition", field: "status")
                let trail = try await client.call(.get, "/v1/projects/\(id)/events", as: owner).items
                #expect(trail.compactMap { $0["reason"]?.stringValue } == ["inputs match the drawings", "rechecked", "all calculations stamped"])
            }
        }
    }

    @Test func sentBackAndInvalidTransitions() async throws {
        try await World.with { world in
            let id = world.project("draft").lowercased, estimator = world.token("estimator")
            try await world.test { client in
                expectProblem(try await client.call(.post, "/v1/projects/\(id)/status", as: estimator, json: ["status": "completed"]), 409, "invalid_transition", field: "status")
                for status in ["estimating", "submitted", "estimating", "submitted"] {
                    let moved = try await client.call(.post, "/v1/projects/\(id)/status", as: estimator, json: ["status": .string(status)])
                    #expect(moved["status"] == .string(status), "\(moved.text)")
                }
                // Same status again is no transition.
                expectProblem(try await client.call(.post, "/v1/projects/\(id)/status", as: estimator, json: ["status": "submitted"]), 409, "invalid_transition")
            }
        }
    }

    @Test(arguments: StoreKind.allCases)
    func archivingIsForOwnerAndAdminAndMakesTheProjectReadOnly(_ kind: StoreKind) async throws {
        // Every denial its own event (no folding of repeats), to count them one by one.
        try await World.with(kind, configure: { $0.denialWindow = .zero }) { world in
            let id = world.project("draft").lowercased
            let before = try await world.accountVersion()
            try await world.test { client in
                let byEstimator = try await client.call(.post, "/v1/projects/\(id)/status", as: world.token("estimator"), json: ["status": "archived", "reason": "done"])
                expectProblem(byEstimator, 403, "role_forbids")
                let archived = try await client.call(.post, "/v1/projects/\(id)/status", as: world.token("admin"), json: ["status": "archived", "reason": "client went quiet"])
                #expect(archived["status"] == "archived", "\(archived.text)")
                let version = try await world.projectVersion(world.project("draft"))

                // Read-only for everyone, owner included: the policy answers 403 read_only (and audits it).
                let writes: [(String, HTTPRequest.Method, String, JSONValue)] = [
                    ("owner", .patch, "", ["name": "Edited while archived"]),
                    ("estimator", .patch, "", ["description": "x"]),
                    ("owner", .post, "/revert", ["to_version": 1, "reason": "undo"]),
                    ("engineer", .post, "/calculations", ["type": "wind_velocity_pressure", "inputs": .object(World.windInputs)]),
                    ("engineer", .put, "/calculations/\(world.calcs["draft"]!.lowercased)", ["inputs": .object(World.windInputs)]),
                    ("engineer", .post, "/calculations/\(world.calcs["draft"]!.lowercased)/approve", ["revision": 1, "reason": "ok"]),
                    ("owner", .post, "/status", ["status": "archived", "reason": "again"]),
                    ("estimator", .post, "/status", ["status": "draft", "reason": "restore"]),
                    ("owner", .delete, "", ["reason": "no longer needed"]),
                ]
                for (who, method, suffix, body) in writes {
                    let reply = try await client.call(method, "/v1/projects/\(id)\(suffix)", as: world.token(who), json: body)
                    expectProblem(reply, 403, "read_only")
                    #expect(reply.code == 403, "\(who) \(method) \(suffix)")
                }
                #expect(try await world.projectVersion(world.project("draft")) == version)
                // Reading still works.
                #expect(try await client.call(.get, "/v1/projects/\(id)/calculations", as: world.token("engineer")).code == 200)

                // Restore: only to the status it had, with a reason, by owner or admin.
                expectProblem(try await client.call(.post, "/v1/projects/\(id)/status", as: world.token("owner"), json: ["status": "estimating", "reason": "back"]), 409, "invalid_transition")
                expectProblem(try await client.call(.post, "/v1/projects/\(id)/status", as: world.token("owner"), json: ["status": "draft"]), 422, "reason_required")
                let restored = try await client.call(.post, "/v1/projects/\(id)/status", as: world.token("owner"), json: ["status": "draft", "reason": "client is back"])
                #expect(restored["status"] == "draft", "\(restored.text)")
                #expect(try await client.call(.patch, "/v1/projects/\(id)", as: world.token("estimator"), json: ["description": "editable again"]).code == 200)
            }
            let denials = try await world.denials(after: before)
            #expect(denials.count == 10)
            #expect(denials.filter { $0.data["code"] == "read_only" }.count == 9)
        }
    }

    @Test func theLastOwnerStays() async throws {
        try await World.with(withProjects: false) { world in
            let owner = world.user("owner").lowercased
            try await world.test { client in
                #expect(try await client.call(.delete, "/v1/users/\(world.user("owner-nope").lowercased)", as: world.token("owner"), json: ["reason": "sold their share"]).code == 204)
                expectProblem(try await client.call(.delete, "/v1/users/\(owner)", as: world.token("owner"), json: ["reason": "leaving"]), 403, "last_owner")
                expectProblem(try await client.call(.patch, "/v1/users/\(owner)", as: world.token("owner"), json: ["role": "admin"]), 403, "last_owner")
                expectProblem(try await client.call(.patch, "/v1/users/\(owner)", as: world.token("admin"), json: ["role": "admin"]), 403, "owner_only")
                #expect(try await client.call(.get, "/v1/me", as: world.token("owner"))["role"] == "owner")
            }
        }
    }
}
