import ApexDomain
import ApexLive
import ApexStore
import ApexWeb
import Foundation
import Logging
import HTTPTypes
import Hummingbird
import NIOCore

/// The projects list (`/ui/projects`: the search box and status filter of `GET /v1/projects`,
/// same read model, same policy) and a project's page (`/ui/projects/{id}`: fields, status,
/// calculations with approvals, files with thumbnails, who else has it open), and the page's
/// presence heartbeat (`POST /ui/projects/{id}/presence`, from its script).
struct WebProjectPages {
    let api: ApexAPI

    func register(on router: RouterGroup<ApexRequestContext>) {
        router.get("") { _, _ in WebView.redirect("/ui/projects") }
        router.get("projects") { request, context in
            let me = try context.requireIdentity()
            let view = WebView(api: api, request: request, context: context)
            let states = try await ProjectListing(api: api).visible(request, me, emptyIsAll: true)
            let status = request.uri.queryParameters.get("status") ?? ""
            let items: [[String: Any]] = states.prefix(200).map { s in
                ["id": s.id?.lowercased ?? "", "name": s.fields.name, "status": s.status.rawValue, "version": s.version,
                 "updated_at": s.updatedAt.map(Timestamp.format) ?? ""]
            }
            return try view.page("projects", title: view.text("projects"), values: [
                "items": items, "q": request.uri.queryParameters.get("q") ?? "",
                "statuses": ProjectStatus.allCases.map { ["value": $0.rawValue, "selected": $0.rawValue == status] },
            ])
        }
        router.get("projects/:id") { request, context in
            let me = try context.requireIdentity()
            let project = try await api.authorizedProject(try request.uuidParameter("id", context), .projectView, context)
            let view = WebView(api: api, request: request, context: context)
            let users = try await api.directory.state(of: me.principal.accountID).users
            var values = try await WebProjectPages.header(api, project, me, view)
            let fields = (project.state.fields.json.objectValue ?? [:]).sorted { $0.key < $1.key }
            values["fields"] = fields.map { field -> [String: Any] in
                // The client by name, for those who may see names; else the id.
                if field.key == "client_id", let id = project.state.fields.clientID, let name = users[id]?.shownName {
                    return ["key": field.key, "value": name]
                }
                return ["key": field.key, "value": WebView.show(field.value)]
            }
            values["calculations"] = may(me, .calculationView, project) ? calculations(project, users: users) : []
            values["files"] = may(me, .fileView, project) ? files(project) : []
            return try view.page("project", title: project.state.fields.name, values: values)
        }
        router.post("projects/:id/presence") { request, context in try await PresenceRoutes(api: api).heartbeat(request, context) }
    }

    /// What every page of a project shows at its top: name, status, version, who else has it open.
    static func header(_ api: ApexAPI, _ project: LoadedProject, _ me: Identity, _ view: WebView) async throws -> [String: Any] {
        let now = api.configuration.clock()
        let entries = (try? await api.presence.present(project: project.id, now: now, ttl: api.live.configuration.presenceTTL)) ?? []
        let names = PresenceRoutes.mayViewUsers(me.principal, now: now) ? try await api.directory.state(of: me.principal.accountID).users : [:]
        let present = entries.filter { $0.userID != me.principal.userID }.map { names[$0.userID]?.shownName ?? String($0.userID.lowercased.prefix(8)) }
        return [
            "project_id": project.id.lowercased, "name": project.state.fields.name, "status": project.state.status.rawValue,
            "version": project.state.version, "present": present,
        ]
    }

    /// Whether the policy allows `action` on the project (asked without recording: the page
    /// leaves the section out; the API routes behind its links ask and audit on their own).
    private func may(_ me: Identity, _ action: Permission, _ project: LoadedProject) -> Bool {
        AccessPolicy.decide(me.principal, action, api.resource(project.state, id: project.id), AccessContext(now: api.configuration.clock())).isAllowed
    }

    private func calculations(_ project: LoadedProject, users: [UUID: AccountUser]) -> [[String: Any]] {
        project.state.calculations.values.sorted { $0.id.lowercased < $1.id.lowercased }.map { record in
            var row: [String: Any] = ["kind": record.latest.type.rawValue, "version": record.latestRevision]
            if let approval = record.latestApproval {
                row["approved"] = true
                row["approved_by"] = users[approval.approvedBy]?.shownName ?? approval.approvedBy.lowercased
                row["license"] = "\(approval.peLicense.number) \(approval.peLicense.state)"
            }
            return row
        }
    }

    private func files(_ project: LoadedProject) -> [[String: Any]] {
        project.state.files.values.filter { !$0.deleted }.sorted { $0.latest.content.name < $1.latest.content.name }.map { record in
            let base = "/v1/projects/\(project.id.lowercased)/files/\(record.id.lowercased)"
            let latest = record.latest
            var row: [String: Any] = ["name": latest.content.name, "size": latest.content.size, "scan": latest.status.rawValue, "content": base + "/content"]
            if latest.status.isServable, latest.thumbnail != nil { row["thumbnail"] = base + "/thumbnail" }
            return row
        }
    }
}
