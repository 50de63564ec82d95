import ApexDomain
import ApexStore
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// A project loaded by replay, with its events.
struct LoadedProject {
    var state: ProjectState
    var events: [EventEnvelope]
    var id: UUID
}

extension ApexAPI {
    /// Replays a project's stream; 404 when it has no events.
    ///
    /// Project state holds no personal data, so the events are read as stored (`mode` `.stored`:
    /// request metadata stays sealed, no key is fetched, nothing personal is decrypted into
    /// memory); the audit trail, which shows addresses to those allowed, asks for `.opened`.
    func loadProject(_ id: UUID, mode: ReadMode = .stored) async throws -> LoadedProject {
        let events = try await store.readStream(.project(id), from: 1, limit: .max, mode: mode)
        guard !events.isEmpty else { throw APIError.notFound }
        return LoadedProject(state: try ProjectState.replay(events), events: events, id: id)
    }

    /// The policy's view of a project.
    func resource(_ state: ProjectState, id: UUID) -> Resource {
        .project(ProjectResource(accountID: state.accountID ?? UUID(), projectID: id, status: state.status, clientID: state.fields.clientID, deleted: state.deleted))
    }

    /// Loads a project the caller may `action` (404 if missing or hidden, 403 if forbidden; denials audited).
    func authorizedProject(
        _ id: UUID, _ action: Permission, _ context: ApexRequestContext, newStatus: ProjectStatus? = nil, mode: ReadMode = .stored
    ) async throws -> LoadedProject {
        let me = try context.requireIdentity()
        let project = try await loadProject(id, mode: mode)
        try await gate.authorize(me, action, resource(project.state, id: id), resourceName: "project/\(id.lowercased)", context: context, newStatus: newStatus)
        return project
    }

    /// Read, authorize, decide, append with the expected version. Without `If-Match` an internal
    /// conflict is retried a few times; with it, a stale version is 412. `clients` (the account's
    /// client users) is for commands that may set `client_id`.
    func mutateProject(
        _ id: UUID, _ action: Permission, _ request: Request, _ context: ApexRequestContext, newStatus: ProjectStatus? = nil,
        clients: Set<UUID>? = nil, command: (LoadedProject) throws -> ProjectCommand
    ) async throws -> ProjectState {
        let me = try context.requireIdentity()
        let ifMatch = try Self.ifMatch(request)
        for attempt in 1...5 {
            let project = try await authorizedProject(id, action, context, newStatus: newStatus)
            if let ifMatch, ifMatch != project.state.version {
                throw APIError(.preconditionFailed, code: "precondition_failed", "If-Match names version \(ifMatch) but the project is at version \(project.state.version)")
            }
            let drafts = try ProjectDecider.decide(
                try command(project), state: project.state, context: DecisionContext(now: configuration.clock(), clients: clients))
            guard !drafts.isEmpty else { return project.state }
            do {
                let result = try await append(
                    drafts, to: .project(id), expected: .exact(project.state.version), account: me.principal.accountID,
                    actor: .user(me.principal.userID), context: context)
                var state = project.state
                for event in result.events { try state.apply(event) }
                return state
            } catch let error as EventStoreError where error.code == .versionConflict {
                if ifMatch != nil {
                    throw APIError(.preconditionFailed, code: "precondition_failed", "the project changed meanwhile (now at version \(error.actualVersion ?? 0))")
                }
                if attempt == 5 { throw APIError(error) }
            }
        }
        throw APIError(.conflict, code: "version_conflict", "the project is changing too fast; retry")
    }

    /// The version an `If-Match` header names (`"3"`, `W/"3"` or `3`), or nil without the header.
    static func ifMatch(_ request: Request) throws -> Int64? {
        guard let raw = request.headers[.ifMatch] else { return nil }
        var text = raw.trimmingOptionalWhitespace
        // `*` matches any current version of an existing resource (RFC 9110 13.1.1).
        if text == "*" { return nil }
        if text.hasPrefix("W/") { text.removeFirst(2) }
        text = text.trimming { $0 == "\"" }
        guard let version = Int64(text) else {
            throw APIError.badRequest("If-Match must be an ETag such as \"3\"", code: "invalid_header", field: "If-Match")
        }
        return version
    }
}

extension Response {
    /// A project with its `ETag`.
    static func project(_ state: ProjectState, status: HTTPResponse.Status = .ok) -> Response {
        var headers: HTTPFields = [.eTag: "\"\(state.version)\"", .apexStateHash: state.stateHash]
        if status == .created, let id = state.id { headers[.location] = "/v1/projects/\(id.lowercased)" }
        return .json(Present.project(state), status: status, headers: headers)
    }
}
