import ApexAnalytics
import ApexDomain
import ApexStore
import Foundation
import Hummingbird

/// `GET /v1/audit/anomalies`: the account's anomaly flags (``AuditAnomalies``), newest first,
/// each with the events behind it (owner and admin, under the policy's audit-trail rule).
struct AnomalyRoutes {
    let api: ApexAPI

    /// The most events shown behind one flag (a burst names every event of its window).
    static let maximumEventsShown = 50

    func register(on router: RouterGroup<ApexRequestContext>) {
        router.get("audit/anomalies") { request, context in try await list(request, context) }
    }

    func list(_ request: Request, _ context: ApexRequestContext) async throws -> Response {
        let me = try context.requireIdentity()
        try await api.gate.authorize(me, .userRemove, .auditTrail(accountID: me.principal.accountID), resourceName: "audit", context: context)
        let filter = AnomalyFilter(
            from: try ProjectListing.date(request.query("from"), "from"), to: try ProjectListing.date(request.query("to"), "to"),
            rule: try SearchRoutes.enumValue(request.query("rule"), "rule", AnomalyRule.self))
        let limit = try ProjectListing.limit(request.query("limit"))
        let page = try await AnalyticsRoutes.mapped {
            try await api.anomalies.list(account: me.principal.accountID, filter: filter, cursor: request.query("cursor"), limit: limit)
        }
        let users = try await api.directory.state(of: me.principal.accountID).users
        var items: [JSONValue] = []
        for flag in page.flags {
            var events: [JSONValue] = []
            for position in flag.flag.positions.prefix(Self.maximumEventsShown) {
                guard let event = try await api.store.readAll(after: position - 1, limit: 1, mode: .opened).first,
                      event.position == position, event.accountID == me.principal.accountID else { continue }
                events.append(Present.event(event, users: users))
            }
            items.append([
                "position": .number(Double(flag.position)), "at": .string(Timestamp.format(flag.at)), "rule": .string(flag.flag.rule),
                "user_id": flag.flag.userID.map { .string($0.lowercased) } ?? .null, "summary": .string(flag.flag.summary),
                "positions": .array(flag.flag.positions.map { .number(Double($0)) }),
                "event_ids": .array(flag.flag.eventIDs.map { .string($0.lowercased) }), "events": .array(events),
            ])
        }
        let next: JSONValue = page.nextCursor.map { .string($0) } ?? .null
        return Response.json(["items": .array(items), "next_cursor": next, "lag": .number(Double(page.lag))])
    }
}
