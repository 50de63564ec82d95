import ApexDomain
import ApexServer
import ApexStore
import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// Bearer tokens: anything but a valid, unexpired HS256 token of an active user is a 401
/// problem, and the role is looked up on every request.
@Suite struct AuthenticationTests {
    static func base64url(_ text: String) -> String {
        Data(text.utf8).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// The payload TokenService signs, for hand-made tokens.
    static func payload(_ user: UUID, _ account: UUID) -> String {
        let now = Int(Date().timeIntervalSince1970)
        return #"{"sub":"\#(user.lowercased)","acct":"\#(account.lowercased)","exp":\#(now + 3600),"iat":\#(now)}"#
    }

    @Test func everyBadTokenIsA401ProblemAndWritesNothing() async throws {
        try await World.with(withProjects: false) { world in
            let owner = world.user("owner")
            let valid = world.token("owner")
            let parts = valid.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
            let algNone = Self.base64url(#"{"alg":"none","typ":"JWT"}"#) + "." + Self.base64url(Self.payload(owner, world.account)) + "."
            let forgedPayload = parts[0] + "." + Self.base64url(Self.payload(world.user("member"), world.account)) + "." + parts[2]
            let wrongKey = try await TokenService(secret: "another-secret-of-at-least-32-bytes!!").issue(user: owner, account: world.account)
            let past = try await world.rebuilt { $0.clock = { Date().addingTimeInterval(-86_400) } }
            let expired = try await past.api.issueToken(user: owner, account: world.account)
            let unknownUser = try await world.api.issueToken(user: UUID(), account: world.account)
            let unknownAccount = try await world.api.issueToken(user: owner, account: UUID())
            let authorizations: [(String, String?)] = [
                ("missing header", nil),
                ("not bearer", "Basic b3duZXI6cGFzc3dvcmQ="),
                ("empty bearer", "Bearer "),
                ("malformed", "Bearer not.a.jwt"),
                ("garbage", "Bearer \(String(repeating: "x", count: 300))"),
                ("wrong signature", "Bearer \(wrongKey)"),
                ("alg none", "Bearer \(algNone)"),
                ("alg none, signature dropped from a real token", "Bearer \(parts[0]).\(parts[1])."),
                ("payload swapped under a real signature", "Bearer \(forgedPayload)"),
                ("expired", "Bearer \(expired)"),
                ("unknown user", "Bearer \(unknownUser)"),
                ("unknown account", "Bearer \(unknownAccount)"),
            ]
            let head = try await world.store.headPosition()
            try await world.test { client in
                for (label, authorization) in authorizations {
                    var headers: HTTPFields = [:]
                    if let authorization { headers[.authorization] = authorization }
                    for (method, path, body) in [(HTTPRequest.Method.get, "/v1/me", nil), (.post, "/v1/projects", #"{"name":"Sneaky"}"#)] {
                        let reply = try await client.call(method, path, raw: body, headers: headers)
                        expectProblem(reply, 401, "unauthorized")
                        #expect(reply.code == 401, "\(label)")
                        #expect(reply.headers[.wwwAuthenticate] == #"Bearer realm="apex""#, "\(label)")
                    }
                }
                // The same owner with the real token gets in.
                #expect(try await client.call(.get, "/v1/me", as: valid).code == 200)
            }
            // A 401 has no identity to audit and writes nothing.
            #expect(try await world.store.headPosition() == head)
        }
    }

    /// A user whose personal data was erased is no longer a member who may call (security review L5).
    @Test func anErasedUserIsA401() async throws {
        try await World.with(withProjects: false) { world in
            let member = world.user("member")
            let token = world.token("member")
            try await world.test { client in
                let before = try await client.call(.get, "/v1/me", as: token)
                #expect(before.code == 200)
            }
            let state = try AccountState.replay(try await world.accountEvents())
            let drafts = try AccountDecider.decide(.erase(userID: member, reason: "erasure request 17"), state: state, context: DecisionContext(now: Date()))
            _ = try await world.store.append(
                drafts.map { $0.proposed(id: UUID(), accountID: world.account, actor: .service("apex-tests")) }, to: .account(world.account),
                expected: .exact(state.version))
            try await world.test { client in
                expectProblem(try await client.call(.get, "/v1/me", as: token), 401, "unauthorized")
                expectProblem(try await client.call(.get, "/v1/projects", as: token), 401, "unauthorized")
            }
        }
    }

    /// Signs `header`.`payload` with the world's secret (HS256), whatever the header says.
    static func handMade(header: String, payload: String) -> String {
        let signingInput = base64url(header) + "." + base64url(payload)
        let mac = HMAC<SHA256>.authenticationCode(for: Data(signingInput.utf8), using: SymmetricKey(data: Data(World.secret.utf8)))
        let signature = Data(mac).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
        return signingInput + "." + signature
    }

    /// Correctly signed tokens whose header or time claims are wrong are refused (security review L4):
    /// `alg` other than HS256, any `kid` (the server signs with one unnamed key), `nbf` or `iat`
    /// more than the 60 s leeway in the future.
    @Test func signedTokensWithAWrongHeaderOrFutureTimesAre401() async throws {
        try await World.with(withProjects: false) { world in
            let owner = world.user("owner").lowercased, account = world.account.lowercased
            let now = Int(Date().timeIntervalSince1970)
            func claims(iat: Int = now, nbf: Int? = nil) -> String {
                #"{"sub":"\#(owner)","acct":"\#(account)","exp":\#(now + 3600),"iat":\#(iat)\#(nbf.map { #","nbf":\#($0)"# } ?? "")}"#
            }
            let hs256 = #"{"alg":"HS256","typ":"JWT"}"#
            // The control: a hand-made token like the server's own is accepted, a small clock skew too.
            let good = Self.handMade(header: hs256, payload: claims())
            let skewed = Self.handMade(header: hs256, payload: claims(iat: now + 30, nbf: now + 30))
            let bad: [(String, String)] = [
                ("alg HS384", Self.handMade(header: #"{"alg":"HS384","typ":"JWT"}"#, payload: claims())),
                ("alg hs256 in lower case", Self.handMade(header: #"{"alg":"hs256","typ":"JWT"}"#, payload: claims())),
                ("no alg", Self.handMade(header: #"{"typ":"JWT"}"#, payload: claims())),
                ("unknown kid", Self.handMade(header: #"{"alg":"HS256","typ":"JWT","kid":"other-key"}"#, payload: claims())),
                ("iat in the future", Self.handMade(header: hs256, payload: claims(iat: now + 3000))),
                ("nbf in the future", Self.handMade(header: hs256, payload: claims(nbf: now + 3000))),
            ]
            try await world.test { client in
                #expect(try await client.call(.get, "/v1/me", as: good).code == 200)
                #expect(try await client.call(.get, "/v1/me", as: skewed).code == 200)
                for (label, token) in bad {
                    let reply = try await client.call(.get, "/v1/me", as: token)
                    #expect(reply.code == 401, "\(label)")
                }
            }
        }
    }

    @Test(arguments: StoreKind.allCases)
    func aRemovedUserIsLockedOutOnTheNextRequest(_ kind: StoreKind) async throws {
        try await World.with(kind) { world in
            let engineer = world.token("engineer")
            try await world.test { client in
                #expect(try await client.call(.get, "/v1/me", as: engineer).code == 200)
                let removed = try await client.call(
                    .delete, "/v1/users/\(world.user("engineer").lowercased)", as: world.token("owner"), json: ["reason": "left the firm"])
                #expect(removed.code == 204, "\(removed.text)")
                expectProblem(try await client.call(.get, "/v1/me", as: engineer), 401, "unauthorized")
                let version = try await world.projectVersion(world.project("draft"))
                let run = try await client.call(
                    .post, "/v1/projects/\(world.project("draft").lowercased)/calculations", as: engineer,
                    json: ["type": "wind_velocity_pressure", "inputs": .object(World.windInputs)])
                expectProblem(run, 401, "unauthorized")
                #expect(try await world.projectVersion(world.project("draft")) == version)
                // Gone from the user list too, and removing again is a 404.
                let users = try await client.call(.get, "/v1/users", as: world.token("owner"))
                #expect(!users.items.contains { $0["user_id"]?.stringValue == world.user("engineer").lowercased })
                let again = try await client.call(
                    .delete, "/v1/users/\(world.user("engineer").lowercased)", as: world.token("owner"), json: ["reason": "twice"])
                expectProblem(again, 404, "not_found")
            }
            let removal = try #require(try await world.accountEvents().last { $0.type == UserRemoved.type })
            #expect(removal.reason == "left the firm")
            #expect(removal.actor.userID == world.user("owner"))
        }
    }

    @Test func aDemotedUserLosesPermissionsOnTheNextRequest() async throws {
        try await World.with { world in
            let admin = world.token("admin")
            let draft = world.project("draft").lowercased
            try await world.test { client in
                #expect(try await client.call(.get, "/v1/audit/events", as: admin).code == 200)
                #expect(try await client.call(.get, "/v1/projects/\(draft)", as: admin).code == 200)
                let demoted = try await client.call(
                    .patch, "/v1/users/\(world.user("admin").lowercased)", as: world.token("owner"), json: ["role": "fabricator"])
                #expect(demoted.code == 200, "\(demoted.text)")
                #expect(demoted["role"] == "fabricator")
                // The same token, the new role.
                expectProblem(try await client.call(.get, "/v1/audit/events", as: admin), 403, "role_forbids")
                expectProblem(try await client.call(.get, "/v1/projects/\(draft)", as: admin), 404, "not_found")
                let me = try await client.call(.get, "/v1/me", as: admin)
                #expect(me["role"] == "fabricator")
                #expect(me["permissions"] == ["project.view", "calculation.view", "file.view"])
                // And a promotion takes effect just as fast.
                _ = try await client.call(.patch, "/v1/users/\(world.user("estimator").lowercased)", as: world.token("owner"), json: ["role": "admin"])
                #expect(try await client.call(.get, "/v1/audit/events", as: world.token("estimator")).code == 200)
            }
        }
    }

    @Test func aWithdrawnPELicenseStopsApprovalsAtOnce() async throws {
        try await World.with { world in
            let path = "/v1/projects/\(world.project("draft").lowercased)/calculations/\(world.calcs["draft"]!.lowercased)/approve"
            try await world.test { client in
                let withdrawn = try await client.call(
                    .patch, "/v1/users/\(world.user("engineer").lowercased)", as: world.token("owner"), json: ["pe_license": nil])
                #expect(withdrawn.code == 200, "\(withdrawn.text)")
                #expect(withdrawn["pe_license"] == .null)
                let denied = try await client.call(.post, path, as: world.token("engineer"), json: ["revision": 1, "reason": "looks fine"])
                expectProblem(denied, 403, "pe_license_missing")
                let expired = try await client.call(.post, path, as: world.token("engineer-expired"), json: ["revision": 1, "reason": "ok"])
                expectProblem(expired, 403, "pe_license_expired")
                #expect(expired["detail"]?.stringValue?.contains("expired on 2020-01-31") == true)
            }
        }
    }
}
