import ApexDomain
import ApexStore
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// A project's current state, as loaded for one request.
struct LoadedProject {
    var state: ProjectState
    var id: UUID
}

extension ApexAPI {
    /// A project's current state; nil when it has no events.
    ///
    /// Starts from the state the ``ProjectStateCache`` holds (on a miss, from the project's
    /// persisted snapshot) and applies only the events after its version, read from the store:
    /// one indexed read, so a write made by another instance is seen at once. Project state holds
    /// no personal data, so the events are read as stored (request metadata stays sealed, no key
    /// is fetched).
    func loadProject(_ id: UUID) async throws -> LoadedProject? {
        try await states.load(id, from: store).map { LoadedProject(state: $0, id: id) }
    }

    /// A project's events from the first through `version` (all of them by default), for the
    /// routes that show or replay its past; `mode` `.opened` for the audit trail, which shows
    /// addresses to those allowed.
    func projectEvents(_ id: UUID, through version: Int64 = .max, mode: ReadMode = .stored) async throws -> [EventEnvelope] {
        try await store.readStream(.project(id), from: 1, limit: Int(clamping: version), mode: mode)
    }

    /// The policy's view of a project.
    func resource(_ state: ProjectState, id: UUID) -> Resource {
        .project(ProjectResource(accountID: state.accountID ?? UUID(), projectID: id, status: state.status, clientID: state.fields.clientID, deleted: state.deleted))
    }

    /// Loads a project the caller may `action` (404 if missing or hidden, 403 if forbidden; denials
    /// audited, a missing project as another account's is: see ``AccessGate``).
    func authorizedProject(
        _ id: UUID, _ action: Permission, _ context: ApexRequestContext, newStatus: ProjectStatus? = nil
    ) async throws -> LoadedProject {
        let me = try context.requireIdentity()
        let resourceName = "project/\(id.lowercased)"
        guard let project = try await loadProject(id) else {
            try await gate.recordAbsent(me, action, resourceName: resourceName, context: context)
        }
        try await gate.authorize(me, action, resource(project.state, id: id), resourceName: resourceName, context: context, newStatus: newStatus)
        return project
    }

    /// Read, authorize, validate the body, decide, check `If-Match`, append with the expected
    /// version. Writes to one project in this process run one at a time (``StreamWriteQueue``),
    /// so a version conflict comes only from another process; without `If-Match` it is retried
    /// a few times, and with it, a stale version is 412 — but only for a request that could
    /// otherwise succeed: a malformed or invalid body (400/422) or a refusal of the decision
    /// (409) is the answer whatever `If-Match` says, and the header's own syntax is checked after
    /// the body. `clients` (the account's client users) is for commands that may set `client_id`.
    func mutateProject(
        _ id: UUID, _ action: Permission, _ request: Request, _ context: ApexRequestContext, newStatus: ProjectStatus? = nil,
        clients: Set<UUID>? = nil, command: (LoadedProject) async throws -> ProjectCommand
    ) async throws -> ProjectState {
        let me = try context.requireIdentity()
        return try await writes.serialized(.project(id)) {
            try await mutateSerialized(id, action, request, context, me, newStatus: newStatus, clients: clients, command: command)
        }
    }

    private func mutateSerialized(
        _ id: UUID, _ action: Permission, _ request: Request, _ context: ApexRequestContext, _ me: Identity, newStatus: ProjectStatus?,
        clients: Set<UUID>?, command: (LoadedProject) async throws -> ProjectCommand
    ) async throws -> ProjectState {
        for attempt in 1...5 {
            let project = try await authorizedProject(id, action, context, newStatus: newStatus)
            let asked = try await command(project)
            let ifMatch = try Self.ifMatch(request)
            let stale = ifMatch.map { $0 != project.state.version } ?? false
            // The decision's own refusals (422, 409) come first: 412 only for a request that would
            // otherwise succeed.
            let drafts = try ProjectDecider.decide(
                asked, state: project.state, context: DecisionContext(now: configuration.clock(), clients: clients))
            if stale { throw Self.preconditionFailed(ifMatch!, project.state.version) }
            guard !drafts.isEmpty else { return project.state }
            do {
                let result = try await append(
                    drafts, to: .project(id), expected: .exact(project.state.version), account: me.principal.accountID,
                    actor: .user(me.principal.userID), context: context)
                var state = project.state
                for event in result.events { try state.apply(event) }
                // Not cached: the next load reads these events back as stored.
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

    static func preconditionFailed(_ asked: Int64, _ current: Int64) -> APIError {
        APIError(.preconditionFailed, code: "precondition_failed", "If-Match names version \(asked) but the project is at version \(current)")
    }

    /// The version an `If-Match` header names (`"3"`, `W/"3"` or `3`; 1-18 digits), or nil
    /// without the header or with `*`. Anything else (a list, a negative or signed number,
    /// unbalanced quotes) is 400 `invalid_header`.
    static func ifMatch(_ request: Request) throws -> Int64? {
        guard let raw = request.headers[.ifMatch] else { return nil }
        var text = Substring(raw.trimmingOptionalWhitespace)
        // `*` matches any current version of an existing resource (RFC 9110 13.1.1).
        if text == "*" { return nil }
        if text.hasPrefix("W/\"") { text = text.dropFirst(2) }
        if text.count >= 2, text.hasPrefix("\""), text.hasSuffix("\"") { text = text.dropFirst().dropLast() }
        guard (1...18).contains(text.utf8.count), text.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }), let version = Int64(text) else {
            throw APIError.badRequest("If-Match must be an ETag such as \"3\"", code: "invalid_header", field: "If-Match")
        }
        return version
    }
}

extension ApexAPI {
    /// A project as the API answers it, with its `ETag` and `X-Apex-State-Hash` (remembered by
    /// the ``ProjectStateCache`` per version, so reads do not re-hash an unchanged state).
    func response(_ state: ProjectState, status: HTTPResponse.Status = .ok) async -> Response {
        let hash = if let id = state.id { await states.stateHash(of: state, id: id) } else { state.stateHash }
        return .project(state, hash: hash, status: status)
    }
}

extension Response {
    /// A project with its `ETag` and the state hash `hash`.
    static func project(_ state: ProjectState, hash: String, status: HTTPResponse.Status = .ok) -> Response {
        var headers: HTTPFields = [.eTag: "\"\(state.version)\"", .apexStateHash: hash]
        if status == .created, let id = state.id { headers[.location] = "/v1/projects/\(id.lowercased)" }
        return .json(Present.project(state), status: status, headers: headers)
    }
}
