import ApexDomain
import ApexMetrics
import ApexStore
import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// The account's whole trail (access denials included) and a verification of the account's streams.
struct AuditRoutes {
    let api: ApexAPI

    func register(on router: RouterGroup<ApexRequestContext>) {
        router.get("audit/events") { request, context in
            let me = try context.requireIdentity()
            try await authorize(me, context)
            let from = try ProjectListing.fromPosition(request.query("from_position"))
            let limit = try ProjectListing.limit(request.query("limit") ?? "100")
            let events = try await api.store.readAccount(me.principal.accountID, after: from, limit: limit, mode: .opened)
            let next: JSONValue = events.count == limit ? .number(Double(events.last!.position)) : .null
            let users = try await api.directory.state(of: me.principal.accountID).users
            return Response.json(["items": .array(events.map { Present.event($0, users: users) }), "next_from_position": next])
        }
        router.get("audit/verify") { _, context in
            let me = try context.requireIdentity()
            try await authorize(me, context)
            // The caller's own streams, and their inclusion in the checkpoints this server signed:
            // another account's events and failures never enter the report. The whole store is
            // verified by the operator (`apex-cli verify`).
            return Response.json(try CanonicalJSON.value(of: try await Self.verify(api, me)))
        }
    }

    /// The policy's audit-trail rule (owner and admin).
    private func authorize(_ me: Identity, _ context: ApexRequestContext) async throws { try await Self.authorize(api, me, context) }

    /// The policy's audit-trail rule (owner and admin), asked through the gate (denials audited);
    /// for these routes and the web audit page.
    static func authorize(_ api: ApexAPI, _ me: Identity, _ context: ApexRequestContext) async throws {
        try await api.gate.authorize(me, .userRemove, .auditTrail(accountID: me.principal.accountID), resourceName: "audit", context: context)
    }

    /// Verifies the caller's own streams, and their inclusion in the checkpoints this server
    /// signed (counted in the metrics).
    static func verify(_ api: ApexAPI, _ me: Identity) async throws -> VerifyReport {
        let trusted = api.configuration.signingKey?.publicKey.rawRepresentation.base64EncodedString()
        let report = try await api.store.verify(account: me.principal.accountID, options: VerifyOptions(trustedPublicKey: trusted))
        api.metrics.recordVerify(ok: report.ok)
        return report
    }
}
