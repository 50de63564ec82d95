import ApexDomain
import ApexStore
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// `GET /v1/users/{id}/export`: what Apex holds about one person (GDPR Art. 15 access, Art. 20
/// portability), as JSON, for the person themself or an owner or admin of their account.
///
/// - `user`: their user record as the account holds it (`[erased]` once erased);
/// - `events`: the events they authored, one page at a time in log order (`from_position`,
///   `limit`; `next_from_position` until the end), with their own requests' metadata opened
///   (IP address, user agent, forwarding headers: `[erased]` once erased or past retention);
/// - `tokens`: what is known of their bearer tokens: tokens are signed, not stored, so no token
///   value exists to show; their token epoch (tokens issued before it are refused), the longest
///   lifetime, and the token of this request when it is theirs (id and time of issue).
///
/// The policy decides (``AccessPolicy``): `user.view` on their own user (anyone, GDPR), else the
/// audit-trail rule (owner and admin); another account's user, like an unknown one, is a 404.
struct UserExportRoutes {
    let api: ApexAPI

    /// Account events read per page while looking for the person's own.
    static let scanPage = 500
    /// Account events looked through per request at most: a long log is answered in pages.
    static let scanLimit = 20_000

    func register(on router: RouterGroup<ApexRequestContext>) {
        router.get("users/:id/export") { request, context in try await export(request, context) }
    }

    private func export(_ request: Request, _ context: ApexRequestContext) async throws -> Response {
        let found = try await api.lookUpUser(request, context, .userView, resourceSuffix: "/export")
        let (me, account, user, resourceName) = (found.me, found.account, found.user, found.resourceName)
        let (userID, accountID) = (user.id, me.principal.accountID)
        if userID == me.principal.userID {
            try await api.gate.authorize(
                me, .userView, .user(UserResource(accountID: accountID, userID: userID, role: user.role)), resourceName: resourceName, context: context)
        } else {
            try await api.gate.authorize(me, .userRemove, .auditTrail(accountID: accountID), resourceName: resourceName, context: context)
        }
        let from = try ProjectListing.fromPosition(request.query("from_position"))
        let limit = try ProjectListing.limit(request.query("limit") ?? "100")

        // Their events, in log order, after `from`: looked for page by page, at most
        // `scanLimit` account events a request.
        var authored: [EventEnvelope] = []
        var position = from, scanned = 0, ended = false
        while authored.count < limit, scanned < Self.scanLimit {
            let page = try await api.store.readAccount(accountID, after: position, limit: Self.scanPage, mode: .opened)
            for event in page {
                position = event.position
                if event.actor.userID == userID {
                    authored.append(event)
                    if authored.count == limit { break }
                }
            }
            scanned += page.count
            if page.count < Self.scanPage, authored.count < limit { ended = true; break }
        }
        let users = account.users
        var tokens: [String: JSONValue] = [
            "stored": false,
            "not_before": user.tokensNotBefore.map { .string(Timestamp.format($0)) } ?? .null,
            "max_lifetime_seconds": .number(Double(api.configuration.maxTokenLifetime.components.seconds)),
        ]
        if userID == me.principal.userID, let header = request.headers[.authorization],
           let claims = await api.tokens.verify(String(header.dropFirst("bearer ".count).trimmingOptionalWhitespace), now: api.configuration.clock()) {
            tokens["this_request"] = [
                "id": claims.id.map(JSONValue.string) ?? .null, "issued_at": .string(Timestamp.format(claims.issuedAt)),
            ]
        }
        return Response.json([
            "user": Present.user(user),
            "account_id": .string(accountID.lowercased),
            "exported_at": .string(Timestamp.format(api.configuration.clock())),
            "events": .array(authored.map { Present.event($0, users: users) }),
            "next_from_position": ended ? .null : .number(Double(position)),
            "tokens": .object(tokens),
        ])
    }
}
