import ApexDomain
import ApexServer
import ApexStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// Token revocation: signing out everywhere and an admin revoking a user's tokens make every
/// earlier token a 401 while fresh ones work; tokens carry a `jti`; a maximum token lifetime.
@Suite struct TokenRevocationTests {
    @Test(arguments: StoreKind.allCases)
    func revokedTokensAre401AndFreshOnesWork(_ kind: StoreKind) async throws {
        try await World.with(kind, withProjects: false) { world in
            let engineer = world.token("engineer"), member = world.token("member")
            // A second token of the engineer's, issued before the sign-out.
            let engineerElsewhere = try await world.api.issueToken(user: world.user("engineer"), account: world.account)
            try await world.test { client in
                #expect(try await client.call(.get, "/v1/me", as: engineer).code == 200)
                #expect(try await client.call(.post, "/v1/me/sign-out-everywhere", as: engineer).code == 204)
                expectProblem(try await client.call(.get, "/v1/me", as: engineer), 401, "unauthorized")
                expectProblem(try await client.call(.get, "/v1/me", as: engineerElsewhere), 401, "unauthorized")
                let fresh = try await world.api.issueToken(user: world.user("engineer"), account: world.account)
                #expect(try await client.call(.get, "/v1/me", as: fresh).code == 200)

                // An admin revokes the member's tokens; nobody else's are touched.
                #expect(try await client.call(.get, "/v1/me", as: member).code == 200)
                let revoked = try await client.call(.post, "/v1/users/\(world.user("member").lowercased)/revoke-tokens", as: world.token("admin"))
                #expect(revoked.code == 204, "\(revoked.text)")
                expectProblem(try await client.call(.get, "/v1/projects", as: member), 401, "unauthorized")
                #expect(try await client.call(.get, "/v1/me", as: world.token("estimator")).code == 200)
                #expect(try await client.call(.get, "/v1/me", as: fresh).code == 200)
                let memberFresh = try await world.api.issueToken(user: world.user("member"), account: world.account)
                #expect(try await client.call(.get, "/v1/me", as: memberFresh).code == 200)

                // An admin may not revoke an owner's tokens (audited); nor may an estimator anyone's.
                expectProblem(
                    try await client.call(.post, "/v1/users/\(world.user("owner").lowercased)/revoke-tokens", as: world.token("admin")), 403, "owner_only")
                expectProblem(
                    try await client.call(.post, "/v1/users/\(world.user("member").lowercased)/revoke-tokens", as: world.token("estimator")),
                    403, "role_forbids")
            }
            // Each revocation is an event with the epoch.
            let revocations = try await world.accountEvents().filter { $0.type == UserTokensRevoked.type }
            #expect(revocations.count == 2)
            #expect(try revocations.map { try $0.payload(as: UserTokensRevoked.self).userID } == [world.user("engineer"), world.user("member")])
        }
    }

    @Test func tokensCarryAJTIAndAreRefusedPastTheMaximumLifetime() async throws {
        try await World.with(withProjects: false) { world in
            @Sendable func claims(_ token: String) throws -> JSONValue {
                var text = String(token.split(separator: ".")[1]).replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
                text += String(repeating: "=", count: (4 - text.utf8.count % 4) % 4)
                return try JSONValue.parse(try #require(Data(base64Encoded: text)))
            }
            let second = try await world.api.issueToken(user: world.user("owner"), account: world.account)
            let a = try claims(world.token("owner")), b = try claims(second)
            #expect(a["jti"]?.stringValue.flatMap(UUID.init(uuidString:)) != nil)
            #expect(a["jti"] != b["jti"])

            // Issued two hours ago for twelve: fine by default, refused where tokens live one hour at most.
            let old = try await TokenService(secret: World.secret).issue(
                user: world.user("owner"), account: world.account, ttl: .seconds(12 * 3600), now: Date().addingTimeInterval(-7200))
            try await world.test { client in
                let reply = try await client.call(.get, "/v1/me", as: old)
                #expect(reply.code == 200, "\(reply.text)")
            }
            let strict = try await world.rebuilt { $0.maxTokenLifetime = .seconds(3600) }
            try await strict.test { client in
                expectProblem(try await client.call(.get, "/v1/me", as: old), 401, "unauthorized")
                // What it issues never outlives the maximum.
                let token = try await strict.api.issueToken(user: world.user("owner"), account: world.account)
                let issued = try claims(token)
                let lifetime = try #require(issued["exp"]?.numberValue) - (try #require(issued["iat"]?.numberValue))
                #expect(lifetime <= 3600.5)
                #expect(try await client.call(.get, "/v1/me", as: world.token("owner")).code == 200)
            }
        }
    }
}
