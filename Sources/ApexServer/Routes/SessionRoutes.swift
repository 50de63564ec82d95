import ApexDomain
import ApexStore
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// Token revocation: `POST /v1/me/sign-out-everywhere` (the caller's own tokens) and
/// `POST /v1/users/{id}/revoke-tokens` (an owner or admin, for a user of their account).
///
/// Both record `user.tokens_revoked` with the user's new token epoch, the server's time now:
/// every token of that user issued before it is a 401 from the next request on, on every
/// instance (the epoch is part of the account's state, read on each request).
struct SessionRoutes {
    let api: ApexAPI

    func register(on router: RouterGroup<ApexRequestContext>) {
        router.post("me/sign-out-everywhere") { _, context in
            let me = try context.requireIdentity()
            try await revoke(me.principal.userID, me, context)
            return Response(status: .noContent)
        }
        router.post("users/:id/revoke-tokens") { request, context in
            let found = try await api.lookUpUser(request, context, .userRemove, where: \.isActive)
            let (me, target, resourceName) = (found.me, found.user, found.resourceName)
            let userID = target.id
            // Revoking tokens takes no access away for good (a new token works), so the last-owner
            // rule does not apply; only an owner may revoke an owner's tokens.
            try await api.gate.authorize(
                me, .userRemove, .user(UserResource(accountID: me.principal.accountID, userID: userID, role: target.role)),
                resourceName: resourceName, context: context, ownerCount: .max)
            try await revoke(userID, me, context)
            return Response(status: .noContent)
        }
    }

    /// Records the user's new token epoch (now, on the server's clock).
    private func revoke(_ userID: UUID, _ me: Identity, _ context: ApexRequestContext) async throws {
        try await api.changeAccount(me.principal.accountID, context) { account in
            try AccountDecider.decide(
                .revokeTokens(userID: userID, notBefore: Timestamp.truncated(api.configuration.clock())), state: account,
                context: DecisionContext(now: api.configuration.clock()))
        }
    }
}
