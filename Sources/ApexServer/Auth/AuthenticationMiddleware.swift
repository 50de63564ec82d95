import ApexDomain
import ApexStore
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// Resolves the bearer token to the user as the account knows them now; 401 for anything else
/// (missing, malformed, forged, `alg: none`, expired, unknown, removed or erased user).
struct AuthenticationMiddleware: RouterMiddleware {
    typealias Context = ApexRequestContext
    let api: ApexAPI

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let header = request.headers[.authorization], header.prefix(7).lowercased() == "bearer " else {
            throw APIError.unauthorized("a bearer token is required (Authorization: Bearer <token>)")
        }
        let token = String(header.dropFirst("bearer ".count).trimmingOptionalWhitespace)
        guard let claims = await api.tokens.verify(token, now: api.configuration.clock()) else { throw APIError.unauthorized("the bearer token is invalid or expired") }
        let account = try await api.directory.state(of: claims.account)
        guard let user = account.users[claims.user], !user.removed, !user.erased else {
            throw APIError.unauthorized("the bearer token's user is not an active member of the account")
        }
        var context = context
        context.identity = Identity(
            principal: Principal(userID: user.id, accountID: claims.account, role: user.role, peLicense: user.peLicense), user: user)
        context.logger[metadataKey: "user_id"] = .string(user.id.lowercased)
        return try await next(request, context)
    }
}
