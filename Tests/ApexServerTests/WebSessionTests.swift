import ApexDomain
import ApexServer
import ApexStore
import ApexWeb
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// The web pages' sessions through the real router, on SQLite and PostgreSQL: a sign-in link is
/// shown by GET and spent by POST, once, across instances; the session cookie's attributes; the
/// security headers; CSRF refusal (403 `csrf_failed`, nothing written); the cookie works only
/// for GET on `/v1`; sign-out, sign-out-everywhere and the IP allowlist end or refuse a session.
@Suite struct WebSessionTests {
    static let form: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]

    /// The token of a sign-in link for `user`.
    static func linkToken(_ world: World, _ user: String) -> String {
        let link = world.api.issueSignInLink(user: world.user(user), account: world.account)
        return String(link.split(separator: "token=").last!)
    }

    /// Signs in by a new link and returns the session cookie's value.
    static func signIn(_ world: World, _ client: some TestClientProtocol, as user: String) async throws -> String {
        let reply = try await client.call(.post, "/ui/sign-in", raw: "token=\(linkToken(world, user))", headers: form)
        #expect(reply.code == 303, "\(reply.text)")
        let setCookie = try #require(reply.headers[.setCookie])
        return String(setCookie.split(separator: ";")[0].dropFirst("apex_session=".count))
    }

    static func session(_ cookie: String, _ more: HTTPFields = [:]) -> HTTPFields {
        var headers = more
        headers[.cookie] = "apex_session=\(cookie)"
        return headers
    }

    /// The CSRF token a page carries (`data-csrf` on its body).
    static func csrf(_ page: Reply) throws -> String {
        let marker = "data-csrf=\""
        let start = try #require(page.text.range(of: marker)).upperBound
        return String(page.text[start...].prefix { $0 != "\"" })
    }

    static func expectSecured(_ reply: Reply, sourceLocation: SourceLocation = #_sourceLocation) {
        let csp = reply.headers[.contentSecurityPolicy] ?? ""
        #expect(csp.contains("default-src 'self'") && csp.contains("frame-ancestors 'none'") && !csp.contains("unsafe-inline"), sourceLocation: sourceLocation)
        #expect(reply.headers[.xContentTypeOptions] == "nosniff", sourceLocation: sourceLocation)
        #expect(reply.headers[HTTPField.Name("Referrer-Policy")!] == "same-origin", sourceLocation: sourceLocation)
    }

    @Test(arguments: StoreKind.allCases)
    func aLinkIsSpentOnceByPostAcrossInstancesAndSetsAStrictCookie(_ kind: StoreKind) async throws {
        try await World.with(kind) { world in
            let token = Self.linkToken(world, "owner")
            let other = try await world.rebuilt()
            try await world.test { client in
                // GET only shows the button (twice: a mail scanner's fetch spends nothing).
                for _ in 0..<2 {
                    let shown = try await client.call(.get, "/ui/sign-in?token=\(token)")
                    #expect(shown.code == 200 && shown.text.contains("action=\"/ui/sign-in\"") && shown.headers[.setCookie] == nil)
                    Self.expectSecured(shown)
                    #expect(shown.headers[.cacheControl] == "no-store")
                }
                let signedIn = try await client.call(.post, "/ui/sign-in", raw: "token=\(token)", headers: Self.form)
                #expect(signedIn.code == 303 && signedIn.headers[.location] == "/ui/projects")
                let cookie = try #require(signedIn.headers[.setCookie])
                #expect(cookie.hasPrefix("apex_session=") && cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict") && cookie.contains("Path=/"))
                #expect(!cookie.contains("Secure"))
                // Spent: refused here and on another instance of the same store.
                let again = try await client.call(.post, "/ui/sign-in", raw: "token=\(token)", headers: Self.form)
                #expect(again.code == 400 && again.text.contains("invalid_link") && again.headers[.setCookie] == nil)
                let elsewhere = try await other.test { elsewhere in
                    try await elsewhere.call(.post, "/ui/sign-in", raw: "token=\(token)", headers: Self.form).code
                }
                #expect(elsewhere == 400)
                // Forged, and expired, links are refused the same way.
                #expect(try await client.call(.post, "/ui/sign-in", raw: "token=\(token.dropLast(2))xx", headers: Self.form).code == 400)
                let expired = SignInLinks(secret: World.secret).issue(
                    user: world.user("owner"), account: world.account, now: Date().addingTimeInterval(-16 * 60))
                #expect(try await client.call(.get, "/ui/sign-in?token=\(expired)").code == 400)
                #expect(try await client.call(.post, "/ui/sign-in", raw: "token=\(expired)", headers: Self.form).code == 400)
            }
        }
    }

    @Test(arguments: StoreKind.allCases)
    func csrfIsCheckedOnEveryPostAndTheCookieIsReadOnlyOnV1(_ kind: StoreKind) async throws {
        try await World.with(kind) { world in
            try await world.test { client in
                let cookie = try await Self.signIn(world, client, as: "owner")
                let list = try await client.call(.get, "/ui/projects", headers: Self.session(cookie))
                #expect(list.code == 200 && list.text.contains("Pylon draft"), "\(list.text)")
                Self.expectSecured(list)
                let csrf = try Self.csrf(list)
                let project = world.project("draft").lowercased
                let version = try await world.projectVersion(world.project("draft"))
                let body = "to_version=1&expected_version=\(version)&reason=undo"
                // No token, a wrong one, another site's Origin: 403 csrf_failed, nothing written.
                for (raw, extra) in [
                    (body, HTTPFields()), (body + "&csrf_token=AAAA", HTTPFields()),
                    (body + "&csrf_token=\(csrf)", [.origin: "https://evil.example"] as HTTPFields),
                ] {
                    var headers = Self.session(cookie, Self.form)
                    headers.append(contentsOf: extra)
                    let refused = try await client.call(.post, "/ui/projects/\(project)/revert", raw: raw, headers: headers)
                    #expect(refused.code == 403 && refused.text.contains("csrf_failed"), "\(refused.text)")
                    Self.expectSecured(refused)
                }
                #expect(try await world.projectVersion(world.project("draft")) == version)
                // With the token: reverted, the reason recorded.
                let done = try await client.call(
                    .post, "/ui/projects/\(project)/revert", raw: body + "&csrf_token=\(csrf)", headers: Self.session(cookie, Self.form))
                #expect(done.code == 303 && done.headers[.location]?.contains("notice=reverted") == true, "\(done.text)")
                let events = try await world.store.readStream(.project(world.project("draft")))
                #expect(events.last?.type == "project.reverted" && events.last?.reason == "undo")
                // A stale version is a conflict notice, not an error page.
                let stale = try await client.call(
                    .post, "/ui/projects/\(project)/revert", raw: body + "&csrf_token=\(csrf)", headers: Self.session(cookie, Self.form))
                #expect(stale.code == 303 && stale.headers[.location]?.contains("notice=conflict") == true)
                // The cookie reads /v1 (GET), never writes there.
                #expect(try await client.call(.get, "/v1/projects", headers: Self.session(cookie)).code == 200)
                expectProblem(try await client.call(.post, "/v1/projects", json: ["name": "x"], headers: Self.session(cookie)), 401, "unauthorized")
                // Signing out ends the session here and everywhere.
                let out = try await client.call(.post, "/ui/sign-out", raw: "csrf_token=\(csrf)", headers: Self.session(cookie, Self.form))
                #expect(out.code == 303 && out.headers[.setCookie]?.contains("Max-Age=0") == true)
                let after = try await client.call(.get, "/ui/projects", headers: Self.session(cookie))
                #expect(after.code == 401 && after.contentType?.hasPrefix("text/html") == true)
                #expect(try await client.call(.get, "/v1/projects", headers: Self.session(cookie)).code == 401)
            }
        }
    }

    @Test(arguments: StoreKind.allCases)
    func signOutEverywhereAndErasureEndSessions(_ kind: StoreKind) async throws {
        try await World.with(kind, withProjects: false) { world in
            try await world.test { client in
                let cookie = try await Self.signIn(world, client, as: "engineer")
                #expect(try await client.call(.get, "/ui/projects", headers: Self.session(cookie)).code == 200)
                #expect(try await client.call(.post, "/v1/me/sign-out-everywhere", as: world.token("engineer")).code == 204)
                #expect(try await client.call(.get, "/ui/projects", headers: Self.session(cookie)).code == 401)
                // A link of a removed user signs nobody in.
                let member = Self.linkToken(world, "member")
                let removed = try await client.call(.delete, "/v1/users/\(world.user("member").lowercased)", as: world.token("owner"), json: ["reason": "left"])
                #expect(removed.code == 204, "\(removed.text)")
                #expect(try await client.call(.post, "/ui/sign-in", raw: "token=\(member)", headers: Self.form).code == 400)
            }
        }
    }

    @Test(arguments: StoreKind.allCases)
    func theAllowlistAppliesToSessions(_ kind: StoreKind) async throws {
        let proxies = try TrustedProxies(parsing: "127.0.0.1/32")
        try await World.with(kind, withProjects: false, configure: { $0.trustedProxies = proxies }) { world in
            try await world.test(.live) { client in
                let inside: HTTPFields = [.xForwardedFor: "203.0.113.5"]
                let set = try await client.call(.patch, "/v1/account/settings", as: world.token("owner"), json: ["ip_allowlist": ["203.0.113.0/24"]], headers: inside)
                #expect(set.code == 200, "\(set.text)")
                var headers = Self.form
                headers[.xForwardedFor] = "203.0.113.5"
                let signedIn = try await client.call(.post, "/ui/sign-in", raw: "token=\(Self.linkToken(world, "engineer"))", headers: headers)
                let cookie = String(try #require(signedIn.headers[.setCookie]).split(separator: ";")[0].dropFirst("apex_session=".count))
                #expect(try await client.call(.get, "/ui/projects", headers: Self.session(cookie, inside)).code == 200)
                let outside = try await client.call(.get, "/ui/projects", headers: Self.session(cookie, [.xForwardedFor: "198.51.100.1"]))
                #expect(outside.code == 403 && outside.text.contains("ip_not_allowed"))
                Self.expectSecured(outside)
            }
        }
    }

    @Test(arguments: StoreKind.allCases)
    func anInvitationIsAcceptedOnAPageAndSignsTheNewUserIn(_ kind: StoreKind) async throws {
        try await World.with(kind, withProjects: false) { world in
            try await world.test { client in
                let invited = try await client.call(.post, "/v1/invitations", as: world.token("owner"), json: ["email": "new@example.com", "role": "estimator"])
                #expect(invited.code == 201, "\(invited.text)")
                let token = try #require(invited["token"]?.stringValue)
                let encoded = token.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? token
                let form = try await client.call(.get, "/ui/invitations/accept?token=\(encoded)")
                #expect(form.code == 200 && form.text.contains("action=\"/ui/invitations/accept\""))
                Self.expectSecured(form)
                let accepted = try await client.call(.post, "/ui/invitations/accept", raw: "token=\(encoded)&name=Nina+New", headers: Self.form)
                #expect(accepted.code == 303, "\(accepted.text)")
                let cookie = String(try #require(accepted.headers[.setCookie]).split(separator: ";")[0].dropFirst("apex_session=".count))
                let me = try await client.call(.get, "/v1/me", headers: Self.session(cookie))
                #expect(me.code == 200 && me["name"]?.stringValue == "Nina New" && me["role"]?.stringValue == "estimator", "\(me.text)")
                // Used: the page says what the API says (status and code), and signs nobody in.
                let api = try await client.call(.post, "/v1/invitations/accept", json: ["token": .string(token), "name": "Nina New"])
                let again = try await client.call(.post, "/ui/invitations/accept", raw: "token=\(encoded)&name=Nina+New", headers: Self.form)
                let code = try #require(api["code"]?.stringValue)
                #expect((400..<500).contains(api.code) && again.code == api.code && again.text.contains(code) && again.headers[.setCookie] == nil, "\(api.text) / \(again.code) \(again.text)")
            }
        }
    }
}
