import ApexDomain
import ApexStore
import ApexWeb
import Logging
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// The account's audit page for owners and admins (`/ui/audit`): the whole trail of the account,
/// access denials included and marked, newest first, paged as `GET /v1/audit/events`; and
/// `POST /ui/audit/verify`, which verifies the account's streams as `GET /v1/audit/verify` does
/// and shows the result. Others get the API's answer for the audit trail, as a page.
struct WebAuditPage {
    let api: ApexAPI
    static let pageSize = 100

    func register(on router: RouterGroup<ApexRequestContext>) {
        router.get("audit") { request, context in try await page(request, context, verify: nil) }
        router.post("audit/verify") { request, context in
            let me = try context.requireIdentity()
            try await AuditRoutes.authorize(api, me, context)
            let report = try await AuditRoutes.verify(api, me)
            return try await page(request, context, verify: ["ok": report.ok, "checked": report.eventsChecked])
        }
    }

    private func page(_ request: Request, _ context: ApexRequestContext, verify: [String: Any]?) async throws -> Response {
        let me = try context.requireIdentity()
        try await AuditRoutes.authorize(api, me, context)
        let view = WebView(api: api, request: request, context: context)
        let after = try ProjectListing.fromPosition(request.query("from_position"))
        let users = try await api.directory.state(of: me.principal.accountID).users
        let events = try await api.store.readAccount(me.principal.accountID, after: after, limit: Self.pageSize, mode: .opened)
        let rows: [[String: Any]] = events.reversed().map { event in
            let denied = event.type == AccessDenied.type
            var detail = ""
            if denied, let d = try? event.payload(as: AccessDenied.self) { detail = "\(d.action) \(d.resource): \(d.code)" } else if let reason = event.reason { detail = reason }
            return [
                "position": event.position, "recorded_at": Timestamp.format(event.recordedAt), "type": event.type, "denied": denied,
                "actor": event.actor.userID.map { users[$0]?.shownName ?? $0.lowercased } ?? event.actor.service ?? "—",
                "from": event.requestMetadata.ipAddress?.display ?? "", "detail": detail,
            ]
        }
        var values: [String: Any] = ["events": rows]
        if events.count == Self.pageSize, let last = events.last { values["next"] = last.position }
        if let verify { values["verify"] = verify }
        return try view.page("audit", title: view.text("audit"), values: values)
    }
}
