import ApexDomain
import ApexStore
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// `GET`/`PATCH /v1/account/settings`: how long request metadata is kept and the account's IP
/// allowlist. `account.manage` (owner).
///
/// A PATCH that would put the caller's own client address outside the allowlist is refused
/// (422 `would_lock_out`): the allowlist applies to every authenticated request, this one's
/// successors included.
struct AccountSettingsRoutes {
    let api: ApexAPI

    func register(on router: RouterGroup<ApexRequestContext>) {
        router.get("account/settings") { _, context in
            let me = try context.requireIdentity()
            try await authorize(me, context)
            return Response.json(Self.present(try await api.directory.state(of: me.principal.accountID)))
        }
        router.patch("account/settings") { request, context in
            let me = try context.requireIdentity()
            try await authorize(me, context)
            let body = try await BodyReader.read(request, limit: api.configuration.bodyLimit).only(["metadata_retention_days", "ip_allowlist"])
            let days = try body.int("metadata_retention_days")
            let ranges = try body.strings("ip_allowlist").map { try AddressRanges(parsing: $0, field: "ip_allowlist") }
            if let ranges, !AccessPolicy.admit(clientAddress: context.requestMetadata.ipAddress?.plaintext, allowlist: ranges).isAllowed {
                throw APIError(
                    .unprocessableContent, code: "would_lock_out",
                    "the allowlist does not contain your own client address; add it (or its range) first", field: "ip_allowlist")
            }
            try await api.changeAccount(me.principal.accountID, context) { account in
                let ctx = DecisionContext(now: api.configuration.clock())
                var drafts: [DraftEvent] = []
                if let days { drafts += try AccountDecider.decide(.setRetention(days: days), state: account, context: ctx) }
                if let ranges { drafts += try AccountDecider.decide(.setIPAllowlist(ranges), state: account, context: ctx) }
                return drafts
            }
            return Response.json(Self.present(try await api.directory.state(of: me.principal.accountID)))
        }
    }

    private func authorize(_ me: Identity, _ context: ApexRequestContext) async throws {
        try await api.gate.authorize(me, .accountManage, .account(accountID: me.principal.accountID), resourceName: "account/settings", context: context)
    }

    /// The settings as JSON.
    static func present(_ account: AccountState) -> JSONValue {
        [
            "metadata_retention_days": .number(Double(account.metadataRetentionDays)),
            "ip_allowlist": .array(account.ipAllowlist.entries.map(JSONValue.string)),
            "metadata_kept_from": Present.text(account.metadataKeptFrom),
        ]
    }
}
