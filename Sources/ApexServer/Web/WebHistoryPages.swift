import ApexDomain
import ApexStore
import ApexWeb
import Foundation
import Logging
import HTTPTypes
import Hummingbird
import NIOCore

/// A project's history (`/ui/projects/{id}/history`: every event, who, when, why, from where
/// for owners and admins, each with its before/after diff, paged as `GET /v1/projects/{id}/events`),
/// two versions side by side (`/ui/projects/{id}/compare?from=&to=`), and the revert form
/// (`POST /ui/projects/{id}/revert`: a reason required, the version the page showed sent as
/// `If-Match`, a conflict shown as a notice on the compare page, not an error page).
struct WebHistoryPages {
    let api: ApexAPI
    static let pageSize = 50

    func register(on router: RouterGroup<ApexRequestContext>) {
        router.get("projects/:id/history") { request, context in
            let me = try context.requireIdentity()
            let project = try await api.authorizedProject(try request.uuidParameter("id", context), .projectView, context)
            let view = WebView(api: api, request: request, context: context)
            let from = try ProjectHistoryRoutes.fromVersion(request)
            let privileged = me.principal.role == .owner || me.principal.role == .admin
            let users = try await api.directory.state(of: me.principal.accountID).users
            let page = try await api.store.readStream(.project(project.id), from: from, limit: Self.pageSize, mode: .opened)
            let before = page.isEmpty || from == 1 ? ProjectState() : try ProjectState.replay(try await api.projectEvents(project.id, through: from - 1))
            let trail = try ProjectHistory.auditTrail(of: page, after: before)
            var values = try await WebProjectPages.header(api, project, me, view)
            values["current"] = project.state.version
            values["entries"] = trail.reversed().map { entry(in: $0, privileged: privileged, users: users) }
            if let last = page.last?.version, page.count == Self.pageSize, last < project.state.version { values["next"] = last + 1 }
            return try view.page("history", title: "\(project.state.fields.name) · \(view.text("history"))", values: values)
        }
        router.get("projects/:id/compare") { request, context in
            let me = try context.requireIdentity()
            let project = try await api.authorizedProject(try request.uuidParameter("id", context), .projectView, context)
            let view = WebView(api: api, request: request, context: context)
            let current = project.state.version
            func version(_ name: String, _ fallback: Int64) throws -> Int64 {
                guard let text = request.uri.queryParameters.get(name) else { return fallback }
                guard let n = Int64(text), n >= 1, n <= current else {
                    throw APIError(.notFound, code: "not_found", "the project has versions 1 to \(current)", field: name)
                }
                return n
            }
            let from = try version("from", max(1, current - 1)), to = try version("to", current)
            let history = ProjectHistory(events: try await api.projectEvents(project.id, through: max(from, to)))
            let left = try history.state(atVersion: from).auditJSON.objectValue ?? [:]
            let right = try history.state(atVersion: to).auditJSON.objectValue ?? [:]
            var values = try await WebProjectPages.header(api, project, me, view)
            values["from"] = from
            values["to"] = to
            values["from_options"] = (1...max(1, current)).reversed().map { ["value": $0, "selected": $0 == from] }
            values["to_options"] = (1...max(1, current)).reversed().map { ["value": $0, "selected": $0 == to] }
            values["rows"] = Set(left.keys).union(right.keys).sorted().map { key -> [String: Any] in
                let a = left[key], b = right[key]
                let kind = a == nil ? "added" : b == nil ? "removed" : a == b ? "same" : "changed"
                return ["field": key, "before": WebView.show(a), "after": WebView.show(b), "kind": kind, "mark": kind == "same" ? "" : view.text(kind)]
            }
            let editable = AccessPolicy.decide(me.principal, .projectEdit, api.resource(project.state, id: project.id), AccessContext(now: api.configuration.clock()))
            values["can_revert"] = editable.isAllowed && from < current
            return try view.page("compare", title: "\(project.state.fields.name) · \(view.text("compare"))", values: values)
        }
        router.post("projects/:id/revert") { request, context in
            let id = try request.uuidParameter("id", context)
            var request = request
            let form = try await WebCSRFMiddleware.form(&request, limit: api.configuration.bodyLimit)
            let target = form["to_version"].flatMap { Int64($0) } ?? 0
            let back = "/ui/projects/\(id.lowercased)/compare?from=\(target)"
            guard let reason = form["reason"]?.trimmingCharacters(in: .whitespacesAndNewlines), !reason.isEmpty else {
                return WebView.redirect(back + "&notice=reason_required")
            }
            // The version the page showed is the precondition: a change since is a conflict.
            if let expected = form["expected_version"], let version = Int64(expected) {
                var head = request.head
                head.headerFields[.ifMatch] = "\"\(version)\""
                request = Request(head: head, body: request.body)
            }
            let clients = try await api.clientIDs(context)
            do {
                _ = try await api.mutateProject(id, .projectEdit, request, context, clients: clients) { project in
                    try await api.revertCommand(project, to: target, reason: reason)
                }
            } catch let error as APIError where error.status == .preconditionFailed || error.status == .conflict {
                return WebView.redirect(back + "&notice=conflict")
            }
            return WebView.redirect("/ui/projects/\(id.lowercased)/history?notice=reverted")
        }
    }

    /// One timeline entry: the event, who (named), when, why, from where (owners and admins
    /// only, as in the API's trail), and its diff as rows.
    private func entry(in entry: AuditEntry, privileged: Bool, users: [UUID: AccountUser]) -> [String: Any] {
        let event = entry.event
        var values: [String: Any] = [
            "version": event.version, "type": event.type, "recorded_at": Timestamp.format(event.recordedAt),
            "actor": event.actor.userID.map { users[$0]?.shownName ?? $0.lowercased } ?? event.actor.service ?? "—",
        ]
        if let reason = event.reason { values["reason"] = reason }
        if privileged, let address = event.requestMetadata.ipAddress?.display { values["from"] = address }
        var changes: [[String: Any]] = []
        for (field, change) in entry.diff.changed.sorted(by: { $0.key < $1.key }) {
            changes.append(["field": field, "before": WebView.show(change.before), "after": WebView.show(change.after), "kind": "changed"])
        }
        for (field, value) in entry.diff.added.sorted(by: { $0.key < $1.key }) {
            changes.append(["field": field, "before": "", "after": WebView.show(value), "kind": "added"])
        }
        for (field, value) in entry.diff.removed.sorted(by: { $0.key < $1.key }) {
            changes.append(["field": field, "before": WebView.show(value), "after": "", "kind": "removed"])
        }
        values["changes"] = changes
        return values
    }
}
