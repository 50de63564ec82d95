import ApexDomain
import ApexStore
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// Projects: create, list, read, edit, status, delete/restore, history, versions, diff, revert.
struct ProjectRoutes {
    let api: ApexAPI
    static let editable: Set<String> = ["name", "description", "client_id", "tags", "site"]

    func register(on router: RouterGroup<ApexRequestContext>) {
        router.post("projects") { request, context in try await create(request, context) }
        router.get("projects") { request, context in try await ProjectListing(api: api).list(request, context) }
        router.get("projects/:id") { request, context in
            await api.response(try await api.authorizedProject(try request.uuidParameter("id", context), .projectView, context).state)
        }
        router.patch("projects/:id") { request, context in
            let raw = try await BodyReader.collect(request, limit: api.configuration.bodyLimit)
            let clients = try await clientIDs(context)
            let state = try await api.mutateProject(try request.uuidParameter("id", context), .projectEdit, request, context, clients: clients) { _ in
                .update(changes: try BodyReader.parse(raw).only(Self.editable).object)
            }
            return await api.response(state)
        }
        router.post("projects/:id/status") { request, context in
            let raw = try await BodyReader.collect(request, limit: api.configuration.bodyLimit)
            // The policy needs the target status (archive rules); the body is validated after it.
            let asked = (try? BodyReader.parse(raw).enumValue("status", ProjectStatus.self)) ?? nil
            let state = try await api.mutateProject(try request.uuidParameter("id", context), .projectEdit, request, context, newStatus: asked) { _ in
                let body = try BodyReader.parse(raw).only(["status", "reason"])
                guard let status = try body.enumValue("status", ProjectStatus.self) else {
                    throw APIError.badRequest("'status' is required", code: "missing_field", field: "status")
                }
                return .changeStatus(to: status, reason: try body.string("reason"))
            }
            return await api.response(state)
        }
        router.delete("projects/:id") { request, context in
            let raw = try await BodyReader.collect(request, limit: api.configuration.bodyLimit)
            let state = try await api.mutateProject(try request.uuidParameter("id", context), .projectDelete, request, context) { _ in
                .delete(reason: try Self.reason(raw))
            }
            return await api.response(state)
        }
        router.post("projects/:id/restore") { request, context in
            let raw = try await BodyReader.collect(request, limit: api.configuration.bodyLimit)
            let state = try await api.mutateProject(try request.uuidParameter("id", context), .projectDelete, request, context) { _ in
                .restore(reason: try Self.reason(raw))
            }
            return await api.response(state)
        }
        router.post("projects/:id/revert") { request, context in
            let raw = try await BodyReader.collect(request, limit: api.configuration.bodyLimit)
            let clients = try await clientIDs(context)
            let state = try await api.mutateProject(try request.uuidParameter("id", context), .projectEdit, request, context, clients: clients) { project in
                let body = try BodyReader.parse(raw).only(["to_version", "reason"])
                return try await api.revertCommand(project, to: Int64(try body.requiredInt("to_version")), reason: try body.string("reason"))
            }
            return await api.response(state)
        }
        ProjectHistoryRoutes(api: api).register(on: router)
    }

    private func create(_ request: Request, _ context: ApexRequestContext) async throws -> Response {
        let me = try context.requireIdentity()
        try await api.gate.authorize(
            me, .projectCreate, .project(ProjectResource(accountID: me.principal.accountID, projectID: nil, status: .draft)),
            resourceName: "projects", context: context)
        let body = try await BodyReader.read(request, limit: api.configuration.bodyLimit).only(Self.editable)
        guard body.has("name") else { throw APIError.badRequest("'name' is required", code: "missing_field", field: "name") }
        let id = UUID()
        let fields = try ProjectFields(name: "").merging(body.object)
        let clients = try await clientIDs(context)
        let drafts = try ProjectDecider.decide(
            .create(projectID: id, fields: fields), state: ProjectState(), context: DecisionContext(now: api.configuration.clock(), clients: clients))
        let result = try await api.append(drafts, to: .project(id), expected: .noStream, account: me.principal.accountID, actor: .user(me.principal.userID), context: context)
        return await api.response(try ProjectState.replay(result.events), status: .created)
    }

    /// The caller's account's client users: who a `client_id` may name.
    private func clientIDs(_ context: ApexRequestContext) async throws -> Set<UUID> { try await api.clientIDs(context) }

    /// The optional `{reason}` body of a delete or restore (no body: no reason).
    static func reason(_ raw: ByteBuffer) throws -> String? {
        guard raw.readableBytes > 0 else { return nil }
        return try BodyReader.parse(raw).only(["reason"]).string("reason")
    }
}

extension ApexAPI {
    /// The account's client users, for commands that may set `client_id`.
    func clientIDs(_ context: ApexRequestContext) async throws -> Set<UUID> {
        try await directory.state(of: try context.requireIdentity().principal.accountID).clientIDs
    }

    /// The command reverting `project`'s fields to those of version `target` (1 or more: else
    /// 422; a version not reached: 404), for `POST /v1/projects/{id}/revert` and the web page.
    func revertCommand(_ project: LoadedProject, to target: Int64, reason: String?) async throws -> ProjectCommand {
        guard target >= 1 else {
            throw APIError(.unprocessableContent, code: "invalid_input", "to_version must be 1 or more", field: "to_version")
        }
        // A version the project has not reached names nothing, as in /versions/{n}.
        guard target <= project.state.version else {
            throw APIError(.notFound, code: "not_found", "the project has versions 1 to \(project.state.version)", field: "to_version")
        }
        let then = try ProjectHistory(events: try await projectEvents(project.id, through: target)).state(atVersion: target)
        return .revert(toVersion: target, fieldsThen: then.fields, reason: reason)
    }
}
