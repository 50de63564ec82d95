import ApexDomain
import ApexStore
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// Asks the policy, and when it denies, records `access.denied` in the caller's account stream
/// (through the ``DenialRecorder``, which folds repeats) before answering 403 (or 404 where the
/// denial conceals the resource's existence).
///
/// A resource of another account and a resource that does not exist leave the same trace: the
/// same 404 and the same recorded denial (`code` `not_found`, the same message), written on the
/// same path, so neither the answer, the caller's own trail nor the time taken tells them apart.
struct AccessGate: Sendable {
    let clock: @Sendable () -> Date
    let recorder: DenialRecorder

    /// What an absent resource and another account's resource are recorded as.
    static let notFoundCode = "not_found"
    static let notFoundMessage = "no such resource in this account"

    /// Returns when allowed; otherwise audits the denial and throws the API error.
    func authorize(
        _ identity: Identity, _ action: Permission, _ resource: Resource, resourceName: String, context ctx: ApexRequestContext,
        newRole: Role? = nil, newStatus: ProjectStatus? = nil, ownerCount: Int = 1, confirmsPELicense: Bool = false
    ) async throws {
        let decision = AccessPolicy.decide(
            identity.principal, action, resource,
            AccessContext(now: clock(), ownerCount: ownerCount, newRole: newRole, newStatus: newStatus, confirmsPELicense: confirmsPELicense))
        guard let denial = decision.denial else { return }
        if denial.code == .crossAccount {
            try await recordAbsent(identity, action, resourceName: resourceName, context: ctx)
        }
        try await record(
            identity, AccessDenied(action: action.rawValue, resource: resourceName, code: denial.code.description, message: denial.message), ctx)
        if denial.concealsExistence { throw APIError.notFound }
        throw APIError(.forbidden, code: denial.code.description, denial.message)
    }

    /// Returns when the account's IP allowlist admits the request's client address; otherwise
    /// audits the denial (`access.denied`, resource `account`) and throws 403 `ip_not_allowed`.
    func admit(_ identity: Identity, allowlist: AddressRanges, context ctx: ApexRequestContext) async throws {
        let decision = AccessPolicy.admit(clientAddress: ctx.requestMetadata.ipAddress?.plaintext, allowlist: allowlist)
        guard let denial = decision.denial else { return }
        try await record(identity, AccessDenied(action: "request", resource: "account", code: denial.code.description, message: denial.message), ctx)
        throw APIError(.forbidden, code: denial.code.description, denial.message)
    }

    /// Records that `identity` asked for a resource that is not there (or is another account's,
    /// which the trail must not tell apart), then throws 404.
    func recordAbsent(_ identity: Identity, _ action: Permission, resourceName: String, context ctx: ApexRequestContext) async throws -> Never {
        try await record(identity, AccessDenied(action: action.rawValue, resource: resourceName, code: Self.notFoundCode, message: Self.notFoundMessage), ctx)
        throw APIError.notFound
    }

    private func record(_ identity: Identity, _ denial: AccessDenied, _ ctx: ApexRequestContext) async throws {
        do {
            try await recorder.record(denial, by: identity.principal, metadata: ctx.requestMetadata)
        } catch {
            ctx.logger.error("could not record an access denial", metadata: ["error": "\(error)"])
            throw error
        }
    }
}
