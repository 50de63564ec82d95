import ApexDomain
import ApexLive
import ApexStore
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import ServiceLifecycle

/// Live updates as Server-Sent Events: the account's events the caller may view
/// (`GET /v1/stream`) and one project's (`GET /v1/projects/{id}/stream`), each `data:` the
/// entry the audit trail shows for the event (``Present/event(_:users:)``), `id:` its position.
/// `Last-Event-ID` (or `?from=`) resumes strictly after a position. See `docs/live.md`.
struct LiveRoutes {
    let api: ApexAPI

    func register(on router: RouterGroup<ApexRequestContext>) {
        router.get("stream") { request, context in
            let me = try context.requireIdentity()
            return try await stream(me, project: nil, after: try Self.resumePosition(request))
        }
        router.get("projects/:id/stream") { request, context in
            let me = try context.requireIdentity()
            let project = try await api.authorizedProject(try request.uuidParameter("id", context), .projectView, context)
            return try await stream(me, project: project.id, after: try Self.resumePosition(request))
        }
    }

    /// The position to resume after: `Last-Event-ID` (what a browser's `EventSource` sends on
    /// reconnecting), else `?from=`, else nil (from now on). Anything but digits is 400.
    static func resumePosition(_ request: Request) throws -> Int64? {
        if let header = request.headers[.lastEventID] {
            guard let position = ServerSentEvent.position(String(header.trimmingOptionalWhitespace)) else {
                throw APIError.badRequest("Last-Event-ID must be an event position (digits)", code: "invalid_header", field: "Last-Event-ID")
            }
            return position
        }
        guard let from = request.query("from") else { return nil }
        guard let position = ServerSentEvent.position(from) else {
            throw APIError.badRequest("from must be an event position (0 or more)", code: "invalid_query", field: "from")
        }
        return position
    }

    /// The stream of `me`'s account, narrowed to `project` when given.
    private func stream(_ me: Identity, project: UUID?, after: Int64?) async throws -> Response {
        let account = me.principal.accountID
        let filter = LiveFilter(api: api, principal: me.principal, project: project)
        // Owners and admins see personal data, actors named included, as in the audit trail.
        let users = filter.privileged ? try await api.directory.state(of: account).users : nil
        let subscription: LiveSubscription
        // A project stream also says who has the project open, named for those who may view users.
        let names = project != nil && PresenceRoutes.mayViewUsers(me.principal, now: api.configuration.clock())
            ? try await api.directory.state(of: account).users : [:]
        let ttl = api.live.configuration.presenceTTL
        do { subscription = try await api.live.subscribe(account: account, project: project, after: after) } catch let error as LiveError {
            throw APIError(.serviceUnavailable, code: error.code.description, error.description)
        }
        let limit = api.live.configuration.maxStreamDuration
        let headers: HTTPFields = [.contentType: "text/event-stream", .cacheControl: "no-store", .xAccelBuffering: "no"]
        return Response(status: .ok, headers: headers, body: ResponseBody { writer in
            defer { subscription.finish() }
            try await withGracefulShutdownHandler {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    if let limit { group.addTask { try await Task.sleep(for: limit); subscription.finish() } }
                    // The comment tells a client the stream is open: events from here on reach it.
                    try await writer.write(ByteBuffer(string: ServerSentEvent.retry(milliseconds: 2000) + ServerSentEvent.comment("open")))
                    for try await item in subscription {
                        switch item {
                        case .heartbeat:
                            try await writer.write(ByteBuffer(string: ServerSentEvent.comment("heartbeat")))
                        case .event(let event):
                            guard await filter.allows(event) else { continue }
                            let data = String(decoding: CanonicalJSON.bytes(Present.event(event, users: users)), as: UTF8.self)
                            try await writer.write(ByteBuffer(string: ServerSentEvent.event(id: String(event.position), type: event.type, data: data)))
                        case .presence(let entries):
                            let data = String(decoding: CanonicalJSON.bytes(PresenceRoutes.json(entries, users: names, ttl: ttl)), as: UTF8.self)
                            try await writer.write(ByteBuffer(string: ServerSentEvent.event(id: nil, type: "presence", data: data)))
                        }
                    }
                    group.cancelAll()
                }
            } onGracefulShutdown: {
                subscription.finish()
            }
            try await writer.finish(nil)
        })
    }
}

/// Which events of the account a stream's caller may see, decided per event by the policy with
/// the project's current state, as the history and audit routes decide per request: an owner
/// or admin sees the whole account trail (the audit trail rule); anyone else the events of the
/// projects they may view (`project.view`: a fabricator approved ones, a client their own).
struct LiveFilter: Sendable {
    let api: ApexAPI
    let principal: Principal
    /// The one project of a project stream.
    let project: UUID?

    /// Whether the caller may read the account's audit trail.
    var privileged: Bool {
        AccessPolicy.decide(principal, .userRemove, .auditTrail(accountID: principal.accountID), AccessContext(now: api.configuration.clock()))
            .denial == nil
    }

    /// Whether `event` goes to this stream.
    func allows(_ event: EventEnvelope) async -> Bool {
        guard let id = event.stream.projectID else { return project == nil && privileged }
        if let project, id != project { return false }
        // The feed loaded the project into the cache before handing the event out; a stream
        // catching up finds it there too, at a version at least the event's.
        let state: ProjectState
        if let held = await api.states.state(of: id), held.version >= event.version {
            state = held
        } else {
            guard let loaded = try? await api.loadProject(id) else { return false }
            state = loaded.state
        }
        return AccessPolicy.decide(principal, .projectView, api.resource(state, id: id), AccessContext(now: api.configuration.clock())).denial == nil
    }
}

extension HTTPField.Name {
    /// `Last-Event-ID`: the position a reconnecting `EventSource` last received.
    static let lastEventID = HTTPField.Name("Last-Event-ID")!
    /// `X-Accel-Buffering: no` asks nginx-style proxies not to buffer the stream.
    static let xAccelBuffering = HTTPField.Name("X-Accel-Buffering")!
}
