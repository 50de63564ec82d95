import ApexDomain
import ApexStore
import ApexWeb
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// Signing in by a one-time link and out again.
///
/// `GET /ui/sign-in?token=` only shows a button (a mail scanner that fetches the link spends
/// nothing); `POST /ui/sign-in` spends the link in the ``WebTokenLedger`` (once, across
/// instances) and sets the session cookie: a bearer token of the server's usual lifetime, so
/// expiry, `APEX_MAX_TOKEN_LIFETIME`, revocation, erasure and the IP allowlist apply to it as
/// to any token. `POST /ui/sign-out` spends the session's id and clears the cookie.
struct WebSignInRoutes {
    let api: ApexAPI

    func registerOpen(on router: RouterGroup<ApexRequestContext>) {
        router.get("sign-in") { request, context in
            let view = WebView(api: api, request: request, context: context)
            guard let token = request.uri.queryParameters.get("token"), api.signInLinks.verify(token, now: api.configuration.clock()) != nil else {
                return try badLink(view)
            }
            return try view.page("sign_in", title: view.text("sign_in"), values: ["token": token])
        }
        router.post("sign-in") { request, context in
            var request = request
            let form = try await WebCSRFMiddleware.form(&request, limit: api.configuration.bodyLimit)
            let view = WebView(api: api, request: request, context: context)
            let now = api.configuration.clock()
            guard let claims = form["token"].flatMap({ api.signInLinks.verify($0, now: now) }) else { return try badLink(view) }
            let account = try await api.directory.state(of: claims.account)
            guard let user = account.users[claims.user], user.isActive else { return try badLink(view) }
            guard try await spend(claims, now: now) else { return try badLink(view) }
            return try await signedIn(user: claims.user, account: claims.account)
        }
        // An invitation's link (`{APEX_PUBLIC_URL}/ui/invitations/accept?token=`): GET shows the
        // form, POST accepts through the same code as `POST /v1/invitations/accept`, then signs in.
        router.get("invitations/accept") { request, context in
            let view = WebView(api: api, request: request, context: context)
            guard let token = request.uri.queryParameters.get("token"), !token.isEmpty else { throw APIError.notFound }
            return try view.page("invitation", title: view.text("invitation"), values: ["token": token])
        }
        router.post("invitations/accept") { request, context in
            var request = request
            let form = try await WebCSRFMiddleware.form(&request, limit: api.configuration.bodyLimit)
            guard let token = form["token"], !token.isEmpty else { throw APIError.notFound }
            let name = form["name"]?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
            let joined = try await InvitationAcceptRoute.accept(api, token: token, name: name, peLicense: nil, context: context)
            return try await signedIn(user: joined.userID, account: joined.accountID)
        }
        router.get("signed-out") { request, context in
            let view = WebView(api: api, request: request, context: context)
            return try view.page("message", title: view.text("signed_out"), values: [
                "heading": view.text("signed_out"), "text": view.text("signed_out_text"),
            ])
        }
    }

    func registerAuthed(on router: RouterGroup<ApexRequestContext>) {
        router.post("sign-out") { request, context in
            let me = try context.requireIdentity()
            if let session = context.sessionID {
                // Kept until the token would have expired anyway.
                let until = api.configuration.clock().addingTimeInterval(TimeInterval(api.tokens.maximumLifetime.components.seconds))
                _ = try await api.webLedger.spend(session, kind: .session, expiresAt: until, now: api.configuration.clock())
            }
            context.logger.info("signed out", metadata: ["user_id": .string(me.user.id.lowercased)])
            var response = WebView.redirect("/ui/signed-out")
            response.setCookie(sessionCookie("", maxAge: 0))
            return response
        }
    }

    /// A new session for `user`: its cookie, and a redirect to the projects.
    private func signedIn(user: UUID, account: UUID) async throws -> Response {
        let token = try await api.tokens.issue(user: user, account: account, ttl: api.configuration.tokenLifetime, now: api.configuration.clock())
        var response = WebView.redirect("/ui/projects")
        response.setCookie(sessionCookie(token, maxAge: Int(min(api.configuration.tokenLifetime, api.tokens.maximumLifetime).components.seconds)))
        return response
    }

    /// Spends the link: false when it was spent before.
    private func spend(_ claims: SignInLinks.Claims, now: Date) async throws -> Bool {
        do { return try await api.webLedger.spend(claims.id, kind: .signInLink, expiresAt: claims.expiresAt, now: now) } catch let error as WebError {
            throw APIError(.serviceUnavailable, code: error.code.description, error.description)
        }
    }

    /// The session cookie: `HttpOnly`, `SameSite=Strict`, `Path=/`, `Secure` when the public address is https.
    private func sessionCookie(_ value: String, maxAge: Int) -> Cookie {
        Cookie(
            name: WebHeaders.sessionCookie, value: value, maxAge: maxAge, path: "/",
            secure: api.configuration.publicBaseURL.lowercased().hasPrefix("https://"), httpOnly: true, sameSite: .strict)
    }

    /// 400 `invalid_link`: expired, spent, forged or of a user no longer active (one answer for all).
    private func badLink(_ view: WebView) throws -> Response {
        try view.page("message", title: view.text("bad_link"), status: .badRequest, values: [
            "heading": view.text("bad_link"), "text": view.text("bad_link_text"), "code": "invalid_link",
        ])
    }
}
