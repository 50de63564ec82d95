import ApexDomain
import ApexServer
import ApexStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// From `approved` on, a project's calculations are frozen (409 `project_locked`) until an owner
/// or admin reopens it (`approved -> estimating`, with a reason); it is then approved again only
/// once every calculation's latest revision is approved again.
@Suite struct CalculationFreezeTests {
    static let pole: JSONValue = ["F": 2000, "y": 15, "Fb": 30]

    @Test(arguments: StoreKind.allCases)
    func frozenFromApprovalUntilReopened(_ kind: StoreKind) async throws {
        try await World.with(kind, withProjects: false) { world in
            try await world.test { client in
                let owner = world.token("owner"), engineer = world.token("engineer"), estimator = world.token("estimator")
                let id = try #require(try await client.call(.post, "/v1/projects", as: estimator, json: ["name": "Frozen pylon"])["id"]?.stringValue)
                var calcs: [String] = []
                for _ in 0..<2 {
                    let run = try await client.call(.post, "/v1/projects/\(id)/calculations", as: engineer, json: ["type": "pole_base_moment", "inputs": Self.pole])
                    calcs.append(try #require(run["calculation_id"]?.stringValue))
                    #expect(try await client.call(.post, "/v1/projects/\(id)/calculations/\(calcs.last!)/approve", as: engineer, json: ["revision": 1, "reason": "ok"]).code == 201)
                }
                for status in ["estimating", "submitted"] {
                    #expect(try await client.call(.post, "/v1/projects/\(id)/status", as: estimator, json: ["status": .string(status)]).code == 200)
                }
                #expect(try await client.call(.post, "/v1/projects/\(id)/status", as: owner, json: ["status": "approved", "reason": "stamped"]).code == 200)

                // Frozen: no new calculation, no new revision, nothing written.
                let head = try await world.store.headPosition()
                expectProblem(
                    try await client.call(.post, "/v1/projects/\(id)/calculations", as: engineer, json: ["type": "pole_base_moment", "inputs": Self.pole]),
                    409, "project_locked")
                expectProblem(
                    try await client.call(.put, "/v1/projects/\(id)/calculations/\(calcs[0])", as: engineer, json: ["inputs": ["F": 2500, "y": 15, "Fb": 30]]),
                    409, "project_locked")
                #expect(try await world.store.headPosition() == head)
                #expect(try await client.call(.get, "/v1/projects/\(id)", as: world.token("fabricator")).code == 200)

                // Reopening: owner or admin, with a reason.
                expectProblem(try await client.call(.post, "/v1/projects/\(id)/status", as: estimator, json: ["status": "estimating", "reason": "rework"]), 403, "role_forbids")
                expectProblem(try await client.call(.post, "/v1/projects/\(id)/status", as: owner, json: ["status": "estimating"]), 422, "reason_required", field: "reason")
                expectProblem(try await client.call(.post, "/v1/projects/\(id)/status", as: owner, json: ["status": "estimating", "reason": " "]), 422, "reason_required", field: "reason")
                let reopened = try await client.call(.post, "/v1/projects/\(id)/status", as: world.token("admin"), json: ["status": "estimating", "reason": "wind speed map changed"])
                #expect(reopened.code == 200, "\(reopened.text)")
                #expect(reopened["status"] == "estimating")
                // No longer shown to fabricators; the calculations can change again.
                #expect(try await client.call(.get, "/v1/projects/\(id)", as: world.token("fabricator")).code == 404)
                let revised = try await client.call(.put, "/v1/projects/\(id)/calculations/\(calcs[0])", as: engineer, json: ["inputs": ["F": 2500, "y": 15, "Fb": 30]])
                #expect(revised.code == 200, "\(revised.text)")

                // Approved again only once every calculation's latest revision is approved again,
                // the unrevised one included.
                #expect(try await client.call(.post, "/v1/projects/\(id)/status", as: estimator, json: ["status": "submitted"]).code == 200)
                let listed = try await client.call(.get, "/v1/projects/\(id)/calculations", as: owner)
                #expect(listed.items.map { $0["approval"] } == [.null, .null])
                let early = try await client.call(.post, "/v1/projects/\(id)/status", as: owner, json: ["status": "approved", "reason": "again"])
                expectProblem(early, 409, "approval_missing")
                #expect(early["detail"]?.stringValue?.contains(calcs[1]) == true)
                #expect(try await client.call(.post, "/v1/projects/\(id)/calculations/\(calcs[0])/approve", as: engineer, json: ["revision": 2, "reason": "rechecked"]).code == 201)
                expectProblem(try await client.call(.post, "/v1/projects/\(id)/status", as: owner, json: ["status": "approved", "reason": "again"]), 409, "approval_missing")
                let again = try await client.call(.post, "/v1/projects/\(id)/calculations/\(calcs[1])/approve", as: engineer, json: ["revision": 1, "reason": "still right"])
                #expect(again.code == 201, "\(again.text)")
                #expect(try await client.call(.post, "/v1/projects/\(id)/status", as: owner, json: ["status": "approved", "reason": "again"]).code == 200)
            }
        }
    }

    /// In fabrication and completed, the calculations stay frozen, and there is no reopening.
    @Test func frozenInFabricationAndCompleted() async throws {
        try await World.with { world in
            let id = world.project("approved").lowercased, owner = world.token("owner")
            try await world.test { client in
                for status in ["in_fabrication", "completed"] {
                    #expect(try await client.call(.post, "/v1/projects/\(id)/status", as: owner, json: ["status": .string(status)]).code == 200)
                    expectProblem(
                        try await client.call(.post, "/v1/projects/\(id)/calculations", as: owner, json: ["type": "pole_base_moment", "inputs": Self.pole]),
                        409, "project_locked")
                    expectProblem(
                        try await client.call(.post, "/v1/projects/\(id)/status", as: owner, json: ["status": "estimating", "reason": "x"]),
                        409, "invalid_transition", field: "status")
                }
            }
        }
    }
}
