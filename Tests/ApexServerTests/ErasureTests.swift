import ApexDomain
import ApexServer
import ApexStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// GDPR erasure through the API (`POST /v1/users/{id}/erase`), over a real socket so that request
/// metadata is real: every view then shows `[erased]` for the user's name, email and their own
/// requests' IP address and user agent, everyone else's stay readable, verify passes, and the
/// erased user's token is a 401.
@Suite struct ErasureTests {
    static let memberAgent = "MemberAgent/7.1 (erasure test)"
    static let ownerAgent = "OwnerAgent/2.0"

    @Test(arguments: StoreKind.allCases)
    func erasedUserReadsErasedEverywhereVerifyPassesAndTheirTokenIs401(_ kind: StoreKind) async throws {
        try await World.with(kind) { world in
            let member = world.user("member")
            let draft = "/v1/projects/\(world.project("draft").lowercased)"
            try await world.test(.live) { client in
                let byMember = try await client.call(
                    .patch, draft, as: world.token("member"), json: ["description": "edited by the member"], headers: [.userAgent: Self.memberAgent])
                #expect(byMember.code == 200, "\(byMember.text)")
                let byOwner = try await client.call(
                    .patch, draft, as: world.token("owner"), json: ["description": "edited by the owner"], headers: [.userAgent: Self.ownerAgent])
                #expect(byOwner.code == 200, "\(byOwner.text)")
                let before = try await client.call(.get, "/v1/audit/events?limit=200", as: world.token("owner"))
                #expect(before.text.contains("member@acme.example") && before.text.contains(Self.memberAgent))

                let erased = try await client.call(
                    .post, "/v1/users/\(member.lowercased)/erase", as: world.token("owner"), json: ["reason": "GDPR Art. 17 request #41"])
                #expect(erased.code == 200, "\(erased.text)")
                #expect(erased["name"] == "[erased]" && erased["email"] == "[erased]" && erased["erased"] == true)

                // The erased user can no longer authenticate.
                expectProblem(try await client.call(.get, "/v1/me", as: world.token("member")), 401, "unauthorized")
                // Nor is listed among the account's users.
                let users = try await client.call(.get, "/v1/users", as: world.token("owner")).items
                #expect(!users.contains { $0["user_id"] == .string(member.lowercased) })

                // The project trail: the member's entry is erased, the owner's is not.
                let trail = try await client.call(.get, draft + "/events", as: world.token("owner")).items
                let memberEntry = try #require(trail.last { $0["actor"]?["user_id"] == .string(member.lowercased) })
                #expect(memberEntry["actor"] == ["user_id": .string(member.lowercased), "name": "[erased]", "email": "[erased]"])
                #expect(memberEntry["request_metadata"]?["ip_address"] == "[erased]")
                #expect(memberEntry["request_metadata"]?["user_agent"] == "[erased]")
                let ownerEntry = try #require(trail.last)
                #expect(ownerEntry["actor"]?["name"] == "Olive Owner")
                #expect(ownerEntry["request_metadata"]?["ip_address"] == "127.0.0.1")
                #expect(ownerEntry["request_metadata"]?["user_agent"] == .string(Self.ownerAgent))

                // The account trail holds no trace of the member's personal data, and records the erasure.
                let after = try await client.call(.get, "/v1/audit/events?limit=200", as: world.token("owner"))
                for secret in ["member@acme.example", Self.memberAgent, "\"name\":\"member\""] {
                    #expect(!after.text.contains(secret), "\(secret) is still shown")
                }
                let erasure = try #require(after.items.last { $0["type"] == "user.erased" })
                #expect(erasure["reason"] == "GDPR Art. 17 request #41")
                #expect(erasure["actor"]?["user_id"] == .string(world.user("owner").lowercased))

                // The hash chains are untouched.
                let verify = try await client.call(.get, "/v1/audit/verify", as: world.token("owner"))
                #expect(verify.code == 200 && verify["ok"] == true, "\(verify.text)")

                // Repeating it records nothing new.
                let head = try await world.store.headPosition()
                let again = try await client.call(.post, "/v1/users/\(member.lowercased)/erase", as: world.token("owner"), json: ["reason": "again"])
                #expect(again.code == 200)
                #expect(try await world.store.headPosition() == head)
            }
            // In the store: no key of the member's is left, the owner's metadata key is.
            let subjects = try await world.store.keySubjects(prefix: "")
            #expect(!subjects.contains { $0.contains(member.lowercased) })
            #expect(subjects.contains { $0.hasPrefix("meta:") && $0.hasSuffix(world.user("owner").lowercased) })
            #expect(try await world.store.verify().ok)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func anotherAccountsUserIs404AndTheLastOwnerStays(_ kind: StoreKind) async throws {
        try await World.with(kind, withProjects: false) { world in
            let other = try await world.otherAccount()
            let version = try await world.store.streamVersion(.account(world.account))
            try await world.test { client in
                let foreign = try await client.call(.post, "/v1/users/\(other.member.lowercased)/erase", as: world.token("owner"), json: ["reason": "nope"])
                expectProblem(foreign, 404, "not_found")
                expectProblem(
                    try await client.call(.post, "/v1/users/\(world.user("member").lowercased)/erase", as: world.token("engineer"), json: ["reason": "x"]),
                    403, "role_forbids")
                expectProblem(
                    try await client.call(.post, "/v1/users/\(world.user("member").lowercased)/erase", as: world.token("owner"), json: [:]),
                    422, "reason_required")
                // The other account's owner is its last owner.
                let last = try await client.call(.post, "/v1/users/\(other.owner.lowercased)/erase", as: other.token, json: ["reason": "x"])
                #expect(last.code == 403, "\(last.text)")
            }
            // Both refusals are audited; the other account's member is untouched.
            let denials = try await world.denials(after: version)
            #expect(denials.count == 2)
            #expect(try await world.store.keySubjects(prefix: DataSubject.user(other.member.lowercased)).count == 1)
        }
    }
}
