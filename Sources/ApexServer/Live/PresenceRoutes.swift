import ApexDomain
import ApexLive
import ApexStore
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// Who has a project open: `POST /v1/projects/{id}/presence` is a client's heartbeat ("I have
/// this open"), `GET` lists who does. Shared by every instance through the store's database
/// (``PresenceStore``); a user drops out when their heartbeats stop for
/// ``LiveConfiguration/presenceTTL``. Both need `project.view`; names are shown to callers who
/// may view users (`user.view`), ids to everyone else.
struct PresenceRoutes {
    let api: ApexAPI

    func register(on router: RouterGroup<ApexRequestContext>) {
        router.post("projects/:id/presence") { request, context in try await heartbeat(request, context) }
        router.get("projects/:id/presence") { request, context in
            let me = try context.requireIdentity()
            let project = try await api.authorizedProject(try request.uuidParameter("id", context), .projectView, context)
            return try await list(project.id, me)
        }
    }

    /// Records the caller's heartbeat on the project and answers who has it open (also the web
    /// page's heartbeat, `POST /ui/projects/{id}/presence`).
    func heartbeat(_ request: Request, _ context: ApexRequestContext) async throws -> Response {
        let me = try context.requireIdentity()
        let project = try await api.authorizedProject(try request.uuidParameter("id", context), .projectView, context)
        try await guarded {
            try await api.presence.heartbeat(
                project: project.id, user: me.principal.userID, account: me.principal.accountID, now: api.configuration.clock(),
                ttl: api.live.configuration.presenceTTL)
        }
        return try await list(project.id, me)
    }

    /// `{items: [{user_id, name, since, last_seen_at}], ttl_seconds}`.
    private func list(_ project: UUID, _ me: Identity) async throws -> Response {
        let entries = try await guarded {
            try await api.presence.present(project: project, now: api.configuration.clock(), ttl: api.live.configuration.presenceTTL)
        }
        let mayViewUsers = Self.mayViewUsers(me.principal, now: api.configuration.clock())
        let users = mayViewUsers ? try await api.directory.state(of: me.principal.accountID).users : [:]
        return Response.json(Self.json(entries, users: users, ttl: api.live.configuration.presenceTTL))
    }

    /// `{items: [{user_id, name, since, last_seen_at}], ttl_seconds}`, names from `users` (empty: all null).
    static func json(_ entries: [PresenceStore.Entry], users: [UUID: AccountUser], ttl: Duration) -> JSONValue {
        let items: [JSONValue] = entries.map { entry in
            [
                "user_id": .string(entry.userID.lowercased), "name": Present.text(users[entry.userID]?.shownName),
                "since": Present.date(entry.since), "last_seen_at": Present.date(entry.lastSeen),
            ]
        }
        return ["items": .array(items), "ttl_seconds": .number(Double(ttl.components.seconds))]
    }

    /// Whether `principal` may see users' names (`user.view`).
    static func mayViewUsers(_ principal: Principal, now: Date) -> Bool {
        AccessPolicy.decide(principal, .userView, .account(accountID: principal.accountID), AccessContext(now: now)).denial == nil
    }

    /// Runs `body`, answering 503 `presence_unavailable` on a store without feature tables.
    private func guarded<T>(_ body: () async throws -> T) async throws -> T {
        guard api.presence.isAvailable else {
            throw APIError(.serviceUnavailable, code: LiveError.Code.presenceUnavailable.description, "presence needs a SQLite or PostgreSQL store")
        }
        return try await body()
    }
}
