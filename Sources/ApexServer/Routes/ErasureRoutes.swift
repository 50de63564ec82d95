import ApexDomain
import ApexStore
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// `POST /v1/users/{id}/erase`: erasure of a user's personal data (GDPR Art. 17) by an owner or
/// admin of their account, with a reason.
///
/// Records `user.erased`, then deletes the user's keys (crypto-shredding: their name, email and
/// their own requests' metadata read as `[erased]` everywhere, while every event and hash stays).
/// Repeating it deletes any key left behind and records nothing new. The user can no longer
/// authenticate. Another account's user, like an unknown one, is a 404.
struct ErasureRoutes {
    let api: ApexAPI

    func register(on router: RouterGroup<ApexRequestContext>) {
        router.post("users/:id/erase") { request, context in try await erase(request, context) }
    }

    private func erase(_ request: Request, _ context: ApexRequestContext) async throws -> Response {
        let found = try await api.lookUpUser(request, context, .userRemove)
        let (me, userID, resourceName) = (found.me, found.user.id, found.resourceName)
        let accountID = me.principal.accountID
        // The last-owner rule protects active owners; a removed owner holds no access to keep.
        func authorize(_ account: AccountState, _ target: AccountUser) async throws {
            try await api.gate.authorize(
                me, .userRemove, .user(UserResource(accountID: accountID, userID: userID, role: target.role)),
                resourceName: resourceName, context: context, ownerCount: target.isActive ? account.ownerCount : .max)
        }
        try await authorize(found.account, found.user)
        let reason = try ProjectRoutes.reason(try await BodyReader.collect(request, limit: api.configuration.bodyLimit))
        try await api.changeAccount(accountID, context) { account in
            // Again on the state the erasure is decided on, which may have changed since.
            guard let target = account.users[userID] else { throw APIError.notFound }
            try await authorize(account, target)
            return try AccountDecider.decide(.erase(userID: userID, reason: reason), state: account, context: DecisionContext(now: api.configuration.clock()))
        }
        let keys = try await api.store.eraseUser(userID, account: accountID)
        context.logger.info("user erased", metadata: ["erased.user_id": .string(userID.lowercased), "erased.keys": .stringConvertible(keys)])
        let updated = try await api.directory.state(of: accountID)
        return Response.json(Present.user(updated.users[userID]!))
    }
}
