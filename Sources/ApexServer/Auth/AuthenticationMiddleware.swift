import ApexDomain
import ApexStore
import ApexWeb
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// Resolves the bearer token to the user as the account knows them now; 401 for anything else
/// (missing, malformed, forged, `alg: none`, expired, older than the maximum lifetime, issued
/// before the user's token epoch, unknown, removed or erased user). Then the account's IP
/// allowlist (``AccessPolicy/admit(clientAddress:allowlist:)``): a client address outside it is
/// a 403 `ip_not_allowed`, recorded as `access.denied`.
///
/// A browser session is the same kind of token, carried in the `apex_session` cookie (see
/// ``WebRoutes``): where `sessions` allows it and no `Authorization` header is sent, the cookie's
/// token is checked exactly as a bearer token is, and must not have been signed out
/// (``WebTokenLedger``). On `/v1` only `GET` and `HEAD` take the cookie (the live streams a page
/// opens): no state changes there by cookie, so no CSRF.
struct AuthenticationMiddleware: RouterMiddleware {
    typealias Context = ApexRequestContext
    /// Which requests may be authenticated by the session cookie.
    enum Sessions { case never, safeMethods, always }
    let api: ApexAPI
    var sessions = Sessions.never

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let token: String
        var sessionID: String?
        if let header = request.headers[.authorization] {
            guard header.prefix(7).lowercased() == "bearer " else {
                throw APIError.unauthorized("a bearer token is required (Authorization: Bearer <token>)")
            }
            token = String(header.dropFirst("bearer ".count).trimmingOptionalWhitespace)
        } else if acceptsSession(request), let cookie = request.cookies[WebHeaders.sessionCookie]?.value, !cookie.isEmpty {
            token = cookie
            sessionID = ""
        } else {
            throw APIError.unauthorized("a bearer token is required (Authorization: Bearer <token>)")
        }
        guard let claims = await api.tokens.verify(token, now: api.configuration.clock()) else { throw APIError.unauthorized("the bearer token is invalid or expired") }
        if sessionID != nil {
            // A session has an id, and one signed out is over on every instance.
            guard let id = claims.id, !(try await api.webLedger.isSpent(id)) else {
                throw APIError.unauthorized("the session has ended; sign in again")
            }
            sessionID = id
        }
        let account = try await api.directory.state(of: claims.account)
        guard let user = account.users[claims.user], user.isActive else {
            throw APIError.unauthorized("the bearer token's user is not an active member of the account")
        }
        if let epoch = user.tokensNotBefore, claims.issuedAt < epoch {
            throw APIError.unauthorized("the bearer token was revoked (signed out everywhere); ask for a new one")
        }
        var context = context
        let identity = Identity(
            principal: Principal(userID: user.id, accountID: claims.account, role: user.role, peLicense: user.peLicense), user: user)
        context.identity = identity
        context.sessionID = sessionID
        context.logger[metadataKey: "user_id"] = .string(user.id.lowercased)
        if let jti = claims.id { context.logger[metadataKey: "token.jti"] = .string(jti) }
        try await api.gate.admit(identity, allowlist: account.ipAllowlist, context: context)
        return try await next(request, context)
    }

    private func acceptsSession(_ request: Request) -> Bool {
        switch sessions {
        case .never: false
        case .safeMethods: request.method == .get || request.method == .head
        case .always: true
        }
    }
}
