import ApexDomain
import ApexServer
import ApexStore
import Foundation
import HTTPTypes
import Testing

/// Audit trails name the acting user as the account recorded them (name and email), for owners
/// and admins; `[erased]` once the user is erased (crypto-shredded); ids only for other viewers.
@Suite struct AuditActorNameTests {
    @Test(arguments: StoreKind.allCases)
    func ownersAndAdminsSeeWhoActedOthersTheIdOnly(_ kind: StoreKind) async throws {
        try await World.with(kind) { world in
            let draft = "/v1/projects/\(world.project("draft").lowercased)"
            try await world.test { client in
                let renamed = try await client.call(.patch, draft, as: world.token("member"), json: ["name": "Renamed by the member"])
                #expect(renamed.code == 200, "\(renamed.text)")
                for viewer in ["owner", "admin"] {
                    let trail = try await client.call(.get, draft + "/events", as: world.token(viewer)).items
                    #expect(trail.first?["actor"] == [
                        "user_id": .string(world.user("owner").lowercased), "name": "Olive Owner", "email": "owner@acme.example",
                    ])
                    #expect(trail.last?["actor"] == ["user_id": .string(world.user("member").lowercased), "name": "member", "email": "member@acme.example"])
                }
                for viewer in ["engineer", "estimator"] {
                    let trail = try await client.call(.get, draft + "/events", as: world.token(viewer)).items
                    #expect(trail.last?["actor"] == ["user_id": .string(world.user("member").lowercased)], "\(viewer)")
                }
                let account = try await client.call(.get, "/v1/audit/events?limit=200", as: world.token("admin")).items
                let renaming = try #require(account.last { $0["type"] == "project.updated" })
                #expect(renaming["actor"]?["name"] == "member")
                #expect(renaming["actor"]?["email"] == "member@acme.example")
                // A service actor has no user to name.
                let seeded = try #require(account.first)
                #expect(seeded["actor"] == ["user_id": nil, "service": "apex-tests"])
            }

            // Erased: the key is gone, and the trails say so wherever the member acted.
            let member = world.user("member")
            let state = try AccountState.replay(try await world.accountEvents())
            let drafts = try AccountDecider.decide(.erase(userID: member, reason: "erasure request 18"), state: state, context: DecisionContext(now: Date()))
            _ = try await world.store.append(
                drafts.map { $0.proposed(id: UUID(), accountID: world.account, actor: .service("apex-tests")) }, to: .account(world.account),
                expected: .exact(state.version))
            try await world.store.eraseSubject(DataSubject.user(member.lowercased))
            let fresh = try await world.rebuilt()
            try await fresh.test { client in
                let trail = try await client.call(.get, draft + "/events", as: world.token("owner")).items
                #expect(trail.last?["actor"] == ["user_id": .string(member.lowercased), "name": "[erased]", "email": "[erased]"])
                let account = try await client.call(.get, "/v1/audit/events?limit=200", as: world.token("owner")).items
                #expect(account.filter { $0["actor"]?["user_id"] == .string(member.lowercased) }.allSatisfy {
                    $0["actor"]?["name"] == "[erased]" && $0["actor"]?["email"] == "[erased]"
                })
                // Everyone else keeps their name.
                #expect(trail.first?["actor"]?["name"] == "Olive Owner")
            }
        }
    }
}
