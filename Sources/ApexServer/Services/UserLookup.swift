import ApexDomain
import Foundation
import Hummingbird

/// The user a `/v1/users/{id}/…` route acts on, found in the caller's account.
struct UserLookup {
    /// The caller.
    var me: Identity
    /// The caller's account as it now stands.
    var account: AccountState
    /// The user named by `{id}`.
    var user: AccountUser
    /// The resource named in the trail (`user/ID` and the route's suffix).
    var resourceName: String
}

extension ApexAPI {
    /// The user `{id}` of the caller's account, when `usable` accepts them; else the request is
    /// recorded as a denial of `action` on a resource that is not there and answered 404, as for
    /// another account's user (the trail must not tell them apart).
    func lookUpUser(
        _ request: Request, _ context: ApexRequestContext, _ action: Permission, resourceSuffix: String = "",
        where usable: (AccountUser) -> Bool = { _ in true }
    ) async throws -> UserLookup {
        let me = try context.requireIdentity()
        let userID = try request.uuidParameter("id", context)
        let account = try await directory.state(of: me.principal.accountID)
        let resourceName = "user/\(userID.lowercased)\(resourceSuffix)"
        guard let user = account.users[userID], usable(user) else {
            try await gate.recordAbsent(me, action, resourceName: resourceName, context: context)
        }
        return UserLookup(me: me, account: account, user: user, resourceName: resourceName)
    }
}
