import ApexDomain
import ApexServer
import ApexStore
import ApexTestSupport
import Foundation
import HTTPTypes
import Testing

/// The caller, invitations and users (``OpenAPIConformanceTests``).
extension OpenAPIConformanceTests {
    static let users: [String: Scenario] = [
        "getMe": { p in
            for user in ["owner", "engineer", "client"] { try await p.expect(200, .get, "/v1/me", as: user) }
            try await p.unauthorized(.get, "/v1/me")
        },
        "createInvitation": { p in
            let path = "/v1/invitations"
            try await p.expect(201, .post, path, json: ["email": "eve@acme.example", "role": "estimator", "name": "Eve"])
            try await p.expect(201, .post, path, as: "admin", json: ["email": "finn@acme.example", "role": "client"])
            try await p.malformed(.post, path)
            try await p.unauthorized(.post, path, json: ["email": "x@acme.example", "role": "client"])
            try await p.expect(403, .post, path, as: "estimator", json: ["email": "x@acme.example", "role": "client"])
            try await p.expect(403, .post, path, as: "estimator", raw: "{\"unfinished\":")  // the permission before the body
            try await p.expect(403, .post, path, as: "admin", json: ["email": "x@acme.example", "role": "owner"])
            try await p.expect(409, .post, path, json: ["email": "estimator@acme.example", "role": "client"])
            try await p.tooLarge(.post, path)
            try await p.expect(422, .post, path, json: ["email": "not an address", "role": "client"])
        },
        "acceptInvitation": { p in
            let path = "/v1/invitations/accept"
            func invite(_ email: String) async throws -> String {
                let invited = try await p.send(.post, "/v1/invitations", json: ["email": .string(email), "role": "engineer"])
                guard let token = invited["token"]?.stringValue else { throw FixtureError("no invitation token: \(invited.text)") }
                return token
            }
            try await p.expect(201, .post, path, as: nil, json: ["token": .string(try await invite("eve@acme.example")), "name": "Eve"])
            try await p.expect(
                201, .post, path, as: nil,
                json: ["token": .string(try await invite("pat@acme.example")), "name": "Pat", "pe_license": ["number": "PE-7", "state": "CA", "expires_on": "2099-01-31"]])
            try await p.malformed(.post, path)
            try await p.expect(404, .post, path, as: nil, json: ["token": .string("\(p.world.account.lowercased).nope"), "name": "Eve"])
            try await p.tooLarge(.post, path)
            try await p.expect(422, .post, path, as: nil, json: ["token": .string(try await invite("sam@acme.example")), "name": "   "])
            let (proxy, racy) = try await p.proxied()
            let token = try await invite("kim@acme.example")
            p.loseEveryAccountRace(proxy)
            try await p.on(racy) { try await $0.expect(409, .post, path, as: nil, json: ["token": .string(token), "name": "Kim"]) }
            let limited = try await p.world.rebuilt { $0.rateLimits = RateLimits(address: nil, user: nil, publicRoutes: .init(quota: 1, windowSeconds: 60), unauthorized: nil) }
            try await p.on(limited) { q in
                try await q.expect(404, .post, path, as: nil, json: ["token": .string("\(p.world.account.lowercased).nope"), "name": "Eve"])
                try await q.expect(429, .post, path, as: nil, json: ["token": .string("\(p.world.account.lowercased).nope"), "name": "Eve"])
            }
        },
        "requestSignInLink": { p in
            let path = "/v1/sign-in-links"
            try await p.expect(202, .post, path, as: nil, json: ["email": "engineer@acme.example"])
            try await p.expect(202, .post, path, as: nil, json: ["email": "nobody@acme.example"])
            try await p.malformed(.post, path)
            try await p.expect(400, .post, path, as: nil, json: [:])
            try await p.tooLarge(.post, path)
            try await p.expect(422, .post, path, as: nil, json: ["email": "not an address"])
            for _ in 0..<4 { try await p.expect(202, .post, path, as: nil, json: ["email": "limited@acme.example"]) }
            try await p.expect(202, .post, path, as: nil, json: ["email": "limited@acme.example"])
            try await p.expect(429, .post, path, as: nil, json: ["email": "limited@acme.example"])
        },
        "listUsers": { p in
            try await p.expect(200, .get, "/v1/users")
            try await p.unauthorized(.get, "/v1/users")
            try await p.expect(403, .get, "/v1/users", as: "fabricator")
        },
        "updateUser": { p in
            let path = "/v1/users/\(p.world.user("member").lowercased)"
            try await p.expect(200, .patch, path, json: ["role": "engineer"])
            try await p.expect(200, .patch, path, as: "admin", json: ["pe_license": ["number": "PE-9", "state": "ny", "expires_on": "2099-01-31"]])
            try await p.expect(200, .patch, "/v1/users/\(p.world.user("admin").lowercased)", as: "admin", json: ["pe_license": ["number": "PE-2", "state": "TX", "expires_on": "2098-01-31"]])
            try await p.expect(200, .patch, path, json: ["pe_license": nil])
            try await p.malformed(.patch, path)
            try await p.unauthorized(.patch, path, json: ["role": "client"])
            try await p.expect(403, .patch, path, as: "estimator", json: ["role": "client"])
            try await p.expect(404, .patch, "/v1/users/\(UUID().lowercased)", json: ["role": "client"])
            try await p.tooLarge(.patch, path)
            try await p.expect(422, .patch, path, json: ["pe_license": ["number": "PE-9", "state": "ZZ", "expires_on": "2099-01-31"]])
            let (proxy, racy) = try await p.proxied()
            p.loseEveryAccountRace(proxy)
            try await p.on(racy) { try await $0.expect(409, .patch, path, json: ["role": "client"]) }
        },
        "removeUser": { p in
            let path = "/v1/users/\(p.world.user("member").lowercased)"
            try await p.malformed(.delete, path)
            try await p.unauthorized(.delete, path, json: ["reason": "left"])
            try await p.expect(403, .delete, path, as: "estimator", json: ["reason": "left"])
            try await p.expect(404, .delete, "/v1/users/\(UUID().lowercased)", json: ["reason": "left"])
            try await p.tooLarge(.delete, path)
            try await p.expect(422, .delete, path, json: ["reason": " "])
            let (proxy, racy) = try await p.proxied()
            p.loseEveryAccountRace(proxy)
            try await p.on(racy) { try await $0.expect(409, .delete, path, json: ["reason": "left"]) }
            try await p.expect(204, .delete, path, json: ["reason": "left the company"])
        },
        "confirmPELicense": { p in
            let admin = p.world.user("admin").lowercased
            // The admin records a license of their own: pending until the owner confirms it.
            try await p.send(.patch, "/v1/users/\(admin)", as: "admin", json: ["pe_license": ["number": "PE-2", "state": "TX", "expires_on": "2098-01-31"]])
            try await p.expect(403, .post, "/v1/users/\(admin)/pe-license/confirm", as: "admin")
            try await p.expect(403, .post, "/v1/users/\(admin)/pe-license/confirm", as: "engineer")
            try await p.unauthorized(.post, "/v1/users/\(admin)/pe-license/confirm")
            try await p.expect(404, .post, "/v1/users/\(UUID().lowercased)/pe-license/confirm")
            try await p.expect(409, .post, "/v1/users/\(p.world.user("member").lowercased)/pe-license/confirm")
            try await p.expect(200, .post, "/v1/users/\(admin)/pe-license/confirm")
            // A pending license with a state recorded before states were checked cannot be confirmed.
            let member = p.world.user("member")
            let old = PELicense(number: "PE-3", state: "ZZ", expiresOn: CivilDate("2099-01-31")!)
            _ = try await p.world.store.append(
                [try ProposedEvent(id: UUID(), UserPELicenseChanged(userID: member, peLicense: old), accountID: p.world.account, actor: .user(member))],
                to: .account(p.world.account), expected: .any)
            try await p.expect(422, .post, "/v1/users/\(member.lowercased)/pe-license/confirm")
        },
    ]
}
