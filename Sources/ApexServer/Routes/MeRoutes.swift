import ApexDomain
import ApexStore
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// `GET /v1/me`: the caller, their role and the role's row of the permission matrix.
struct MeRoutes {
    let api: ApexAPI

    func register(on router: RouterGroup<ApexRequestContext>) {
        router.get("me") { _, context in
            let me = try context.requireIdentity()
            return Response.json([
                "user_id": .string(me.principal.userID.lowercased), "account_id": .string(me.principal.accountID.lowercased),
                "role": .string(me.principal.role.rawValue), "name": Present.text(me.user.shownName),
                "email": Present.text(me.user.shownEmail), "pe_license": Present.license(me.principal.peLicense),
                "pe_license_pending": Present.license(me.user.pendingPELicense),
                "permissions": .array(AccessPolicy.permissions(for: me.principal.role).map { .string($0.rawValue) }),
            ])
        }
    }
}
