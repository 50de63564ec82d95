import ApexDomain
import ApexStore
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// Asks the policy, and when it denies, records `access.denied` in the caller's account stream
/// before answering 403 (or 404 where the denial conceals the resource's existence).
struct AccessGate: Sendable {
    let store: any EventStore
    let clock: @Sendable () -> Date

    /// Returns when allowed; otherwise audits the denial and throws the API error.
    func authorize(
        _ identity: Identity, _ action: Permission, _ resource: Resource, resourceName: String, context ctx: ApexRequestContext,
        newRole: Role? = nil, newStatus: ProjectStatus? = nil, ownerCount: Int = 1, confirmsPELicense: Bool = false
    ) async throws {
        let decision = AccessPolicy.decide(
            identity.principal, action, resource,
            AccessContext(now: clock(), ownerCount: ownerCount, newRole: newRole, newStatus: newStatus, confirmsPELicense: confirmsPELicense))
        guard let denial = decision.denial else { return }
        let event = try ProposedEvent(
            id: UUID(), AccessDenied(action: action.rawValue, resource: resourceName, code: denial.code.description, message: denial.message),
            accountID: identity.principal.accountID, actor: .user(identity.principal.userID), requestMetadata: ctx.requestMetadata)
        do {
            _ = try await store.append([event], to: .account(identity.principal.accountID), expected: .any)
        } catch {
            ctx.logger.error("could not record an access denial", metadata: ["error": "\(error)"])
            throw error
        }
        if denial.concealsExistence { throw APIError.notFound }
        throw APIError(.forbidden, code: denial.code.description, denial.message)
    }
}
