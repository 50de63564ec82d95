import ApexDomain
import ApexStore
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// A project's past: its audit trail, any version, and the diff between two versions.
struct ProjectHistoryRoutes {
    let api: ApexAPI

    func register(on router: RouterGroup<ApexRequestContext>) {
        router.get("projects/:id/events") { request, context in
            let me = try context.requireIdentity()
            let project = try await api.authorizedProject(try request.uuidParameter("id", context), .projectView, context)
            let from = try Self.fromVersion(request)
            let limit = try ProjectListing.limit(request.query("limit") ?? "100")
            // Owners and admins see personal data, actors named included; others see ids only.
            let showPersonal = me.principal.role == .owner || me.principal.role == .admin
            let users = showPersonal ? try await api.directory.state(of: me.principal.accountID).users : nil
            let page = try await api.store.readStream(.project(project.id), from: from, limit: limit, mode: .opened)
            // The first entry's `before` is the state at `from - 1`: a replay through it (read as
            // stored, no key fetched), which costs what lies before the page.
            let before = page.isEmpty || from == 1 ? ProjectState() : try ProjectState.replay(try await api.projectEvents(project.id, through: from - 1))
            let trail = try ProjectHistory.auditTrail(of: page, after: before)
            let last = page.last?.version ?? 0
            let next: JSONValue = page.count == limit && last < project.state.version ? .number(Double(last + 1)) : .null
            return Response.json(["items": .array(trail.map { Present.entry($0, users: users) }), "next_from_version": next])
        }
        router.get("projects/:id/versions/:n") { request, context in
            let project = try await api.authorizedProject(try request.uuidParameter("id", context), .projectView, context)
            guard let n = context.parameters.get("n").flatMap(Int64.init), n >= 1, n <= project.state.version else {
                throw APIError(.notFound, code: "not_found", "the project has versions 1 to \(project.state.version)")
            }
            let state = try ProjectHistory(events: try await api.projectEvents(project.id, through: n)).state(atVersion: n)
            return Response.json(Present.project(state), headers: [.eTag: "\"\(n)\""])
        }
        router.get("projects/:id/diff") { request, context in
            let project = try await api.authorizedProject(try request.uuidParameter("id", context), .projectView, context)
            let version = project.state.version
            func parse(_ name: String, default value: Int64) throws -> Int64 {
                guard let text = request.query(name) else { return value }
                guard let n = Int64(text), n >= 0 else {
                    throw APIError.badRequest("\(name) must be a version (0 or more)", code: "invalid_query", field: name)
                }
                // A well-formed version the project has not reached names nothing, as in /versions/{n}.
                guard n <= version else { throw APIError(.notFound, code: "not_found", "the project has versions 0 to \(version)", field: name) }
                return n
            }
            let from = try parse("from", default: max(0, version - 1))
            let to = try parse("to", default: version)
            let diff = try ProjectHistory(events: try await api.projectEvents(project.id, through: max(from, to))).diff(from: from, to: to)
            return Response.json(["from": .number(Double(from)), "to": .number(Double(to)), "diff": diff.json])
        }
    }

    /// The trail page's first version: `from_version`, 1 when absent.
    static func fromVersion(_ request: Request) throws -> Int64 {
        guard let text = request.query("from_version") else { return 1 }
        guard let n = Int64(text), n >= 1 else {
            throw APIError.badRequest("from_version must be a version (1 or more)", code: "invalid_query", field: "from_version")
        }
        return n
    }
}
