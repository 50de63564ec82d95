import ApexDomain
import ApexServer
import ApexStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// `/v1/me`, the health endpoints, the account's audit trail and store verification.
@Suite struct AccountRoutesTests {
    /// Each role's row of the design brief's matrix, in the order `/v1/me` lists it.
    static let permissions: [(String, [String])] = [
        ("owner", [
            "project.create", "project.edit", "project.delete", "project.view", "calculation.run", "calculation.approve", "calculation.view",
            "user.invite", "user.remove", "user.view", "account.billing", "account.manage", "file.upload", "file.delete", "file.view",
        ]),
        ("admin", [
            "project.create", "project.edit", "project.delete", "project.view", "calculation.run", "calculation.approve", "calculation.view",
            "user.invite", "user.remove", "user.view", "file.upload", "file.delete", "file.view",
        ]),
        ("engineer", ["project.view", "calculation.run", "calculation.approve", "calculation.view", "user.view", "file.upload", "file.view"]),
        ("estimator", ["project.create", "project.edit", "project.view", "calculation.run", "calculation.view", "user.view", "file.upload", "file.view"]),
        ("fabricator", ["project.view", "calculation.view", "file.view"]),
        ("client", ["project.view", "calculation.view", "file.view"]),
    ]

    @Test func meNamesTheCallerAndTheirRolesPermissions() async throws {
        try await World.with(withProjects: false) { world in
            try await world.test { client in
                for (role, permissions) in Self.permissions {
                    let me = try await client.call(.get, "/v1/me", as: world.token(role))
                    #expect(me.code == 200)
                    #expect(me["role"] == .string(role))
                    #expect(me["user_id"] == .string(world.user(role).lowercased))
                    #expect(me["account_id"] == .string(world.account.lowercased))
                    #expect(me["permissions"]?.array?.compactMap(\.stringValue) == permissions, "\(role)")
                }
                let owner = try await client.call(.get, "/v1/me", as: world.token("owner"))
                #expect(owner["permissions"]?.array?.count == 15)
                #expect(owner["name"] == "Olive Owner")
                #expect(owner["email"] == "owner@acme.example")
                #expect(owner["pe_license"] == ["number": "PE-1001", "state": "TX", "expires_on": "2099-12-31", "confirmed_by": .string(world.user("admin").lowercased)])
                #expect(owner["pe_license_pending"] == .null)
                #expect(try await client.call(.get, "/v1/me", as: world.token("estimator"))["pe_license"] == .null)
            }
        }
    }

    @Test func healthAndReadiness() async throws {
        try await World.with(withProjects: false) { world in
            let proxy = ProxyStore(world.store)
            let served = try await world.rebuilt(over: proxy)
            try await served.test { client in
                let health = try await client.call(.get, "/healthz")
                #expect(health.code == 200)
                #expect(health.json == ["status": "ok"])
                let ready = try await client.call(.get, "/readyz")
                #expect(ready.code == 200)
                #expect(ready["status"] == "ready")
                // An unauthenticated probe learns that the store answers, nothing about what it holds (security review L2),
                // and whether uploads are virus-scanned (a setting, #18).
                #expect(ready.json == ["status": "ready", "virus_scanning": "off"])
                proxy.goDown()
                expectProblem(try await client.call(.get, "/readyz"), 503, "store_unavailable")
                // Liveness does not depend on the store.
                #expect(try await client.call(.get, "/healthz").code == 200)
                let spec = try await client.call(.get, "/openapi.yaml")
                #expect(spec.code == 200)
                #expect(spec.contentType == "application/yaml")
            }
        }
    }

    @Test(arguments: StoreKind.allCases)
    func theAccountTrailIncludesDenialsForOwnerAndAdminOnly(_ kind: StoreKind) async throws {
        try await World.with(kind) { world in
            try await world.test { client in
                let denied = try await client.call(
                    .delete, "/v1/projects/\(world.project("draft").lowercased)", as: world.token("engineer"), json: ["reason": "tidy"],
                    headers: [.xRequestID: "engineer-tries-delete"])
                expectProblem(denied, 403, "role_forbids")
                expectProblem(try await client.call(.get, "/v1/audit/events", as: world.token("engineer")), 403, "role_forbids")
                expectProblem(try await client.call(.get, "/v1/audit/verify", as: world.token("estimator")), 403, "role_forbids")

                let trail = try await client.call(.get, "/v1/audit/events?limit=200", as: world.token("admin"))
                #expect(trail.code == 200)
                let items = trail.items
                #expect(items.count == Int(try await world.store.readAll(after: 0, limit: 10_000).count))
                let positions = items.compactMap { $0["position"]?.numberValue }
                #expect(positions == positions.sorted())
                let denial = try #require(items.first { $0["request_metadata"]?["request_id"] == "engineer-tries-delete" })
                #expect(denial["type"] == "access.denied")
                #expect(denial["stream"] == .string(StreamID.account(world.account).rawValue))
                #expect(denial["actor"]?["user_id"] == .string(world.user("engineer").lowercased))
                #expect(denial["data"]?["action"] == "project.delete")
                #expect(denial["data"]?["resource"] == .string("project/\(world.project("draft").lowercased)"))
                #expect(denial["data"]?["code"] == "role_forbids")
                #expect(denial["data"]?["message"] == "engineer may not project.delete")
                // The trail's own denials are in it too, and personal data shows as plaintext to an admin.
                #expect(items.contains { $0["type"] == "access.denied" && $0["data"]?["resource"] == "audit" })
                let joined = try #require(items.first { $0["type"] == "user.joined" })
                #expect(joined["data"]?["name"]?.stringValue?.isEmpty == false)

                // Paging by position.
                let first = try await client.call(.get, "/v1/audit/events?limit=2", as: world.token("owner"))
                #expect(first.items.count == 2)
                let next = try #require(first["next_from_position"]?.numberValue)
                let second = try await client.call(.get, "/v1/audit/events?limit=2&from_position=\(Int(next))", as: world.token("owner"))
                #expect(second.items.first?["position"]?.numberValue ?? 0 > next)
                #expect(second.items.first?["id"] == items[2]["id"])
                expectProblem(try await client.call(.get, "/v1/audit/events?from_position=-1", as: world.token("owner")), 400, "invalid_query", field: "from_position")
            }
        }
    }

    @Test(arguments: StoreKind.allCases)
    func verifyAnswersOwnerAndAdmin(_ kind: StoreKind) async throws {
        try await World.with(kind) { world in
            try await world.test { client in
                let report = try await client.call(.get, "/v1/audit/verify", as: world.token("owner"))
                #expect(report.code == 200, "\(report.text)")
                #expect(report["ok"] == true)
                #expect(report["events_checked"]?.numberValue == Double(try await world.store.headPosition()))
                #expect(report["checkpoints_checked"] == 0)
                // Null when everything checks out (the issue's route table lists the field).
                #expect(report["first_failure"] == .null)
                #expect(try await client.call(.get, "/v1/audit/verify", as: world.token("admin"))["ok"] == true)
                for role in ["engineer", "estimator", "fabricator", "client"] {
                    expectProblem(try await client.call(.get, "/v1/audit/verify", as: world.token(role)), 403, "role_forbids")
                }
            }
        }
    }
}
