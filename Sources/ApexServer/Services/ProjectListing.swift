import ApexDomain
import ApexSearch
import ApexStore
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// `GET /v1/projects`: the account's project read model, filtered to what the caller may view,
/// then by `status`, `tag`, `q` (words matched by the search index, ``SearchIndex``: name,
/// description, tags, site; the last word a prefix), `created_from`/`created_to`, newest first,
/// paged by a cursor: `<created_at in µs since 1970>.<id>` of the last project of the previous
/// page (every string of that shape is a valid position, so a cursor is refused only when it
/// has another shape).
struct ProjectListing {
    let api: ApexAPI

    func list(_ request: Request, _ context: ApexRequestContext) async throws -> Response {
        let me = try context.requireIdentity()
        let limit = try Self.limit(request.query("limit"))
        let cursor = try request.query("cursor").map(Self.decodeCursor)
        var items = try await visible(request, me)
        if let cursor {
            items = items.filter { s in Self.position(s) < cursor }
        }
        let page = Array(items.prefix(limit))
        let next: JSONValue = items.count > limit ? .string(Self.encodeCursor(page.last!)) : .null
        return Response.json(["items": .array(page.map(Present.project)), "next_cursor": next])
    }

    /// The projects `me` may view that the request's filters (`status`, `tag`, `q`,
    /// `created_from`, `created_to`, `deleted`) keep, newest first. `emptyIsAll`: an empty
    /// `status` does not narrow (a form's "all"), instead of being a 400.
    func visible(_ request: Request, _ me: Identity, emptyIsAll: Bool = false) async throws -> [ProjectState] {
        let status = try request.query("status").flatMap { emptyIsAll && $0.isEmpty ? nil : $0 }.map { text -> ProjectStatus in
            guard let s = ProjectStatus(rawValue: text) else {
                throw APIError.badRequest("status must be one of \(ProjectStatus.allCases.map(\.rawValue).joined(separator: ", "))", code: "invalid_query", field: "status")
            }
            return s
        }
        let from = try Self.date(request.query("created_from"), "created_from")
        let to = try Self.date(request.query("created_to"), "created_to")
        let tag = request.query("tag")
        // An empty `q` does not narrow; deleted projects are not in the index, so `q` never matches them.
        var matching: Set<UUID>?
        if let text = request.query("q"), !text.allSatisfy(\.isWhitespace) {
            let query = try SearchRoutes.query(text)
            matching = try await SearchRoutes.mapped { try await api.search.projectIDs(matching: query, account: me.principal.accountID) }
        }
        let includeDeleted: Bool
        switch request.query("deleted") {
        case nil, "false": includeDeleted = false
        case "true": includeDeleted = true
        default: throw APIError.badRequest("deleted must be true or false", code: "invalid_query", field: "deleted")
        }

        let documents = try await api.store.projectionDocuments(api.projections, partition: me.principal.accountID.lowercased)
        let now = api.configuration.clock()
        var items = try ProjectListProjection.states(documents).filter { s in
            guard let id = s.id else { return false }
            let decision = AccessPolicy.decide(me.principal, .projectView, api.resource(s, id: id), AccessContext(now: now))
            guard decision.isAllowed, includeDeleted || !s.deleted else { return false }
            if let status, s.status != status { return false }
            if let tag, !s.fields.tags.contains(tag) { return false }
            if let matching, !matching.contains(id) { return false }
            if let from, let created = s.createdAt, created < from { return false }
            if let to, let created = s.createdAt, created >= to { return false }
            return true
        }
        items.sort { a, b in Self.position(a) > Self.position(b) }
        return items
    }

    /// A `from_position` query value: a global position, 0 or more (0 when absent).
    static func fromPosition(_ text: String?) throws -> Int64 {
        guard let text else { return 0 }
        guard let p = Int64(text), p >= 0 else {
            throw APIError.badRequest("from_position must be a position (0 or more)", code: "invalid_query", field: "from_position")
        }
        return p
    }

    static func limit(_ text: String?) throws -> Int {
        guard let text else { return 50 }
        guard let n = Int(text), (1...200).contains(n) else {
            throw APIError.badRequest("limit must be a whole number from 1 to 200", code: "invalid_query", field: "limit")
        }
        return n
    }

    static func date(_ text: String?, _ field: String) throws -> Date? {
        guard let text else { return nil }
        guard let date = Timestamp.parse(text) else {
            throw APIError.badRequest("\(field) must be an ISO 8601 date or timestamp", code: "invalid_query", field: field)
        }
        return date
    }

    /// Where a project sorts: its creation time in microseconds, then its id.
    static func position(_ s: ProjectState) -> (Int64, String) {
        (Int64(((s.createdAt ?? Date(timeIntervalSince1970: 0)).timeIntervalSince1970 * 1_000_000).rounded()), s.id!.lowercased)
    }

    static func encodeCursor(_ s: ProjectState) -> String {
        let (micros, id) = position(s)
        return "\(micros).\(id)"
    }

    /// `^[0-9]{1,16}\.<lowercase uuid>$`, as the OpenAPI document declares it.
    static func decodeCursor(_ text: String) throws -> (Int64, String) {
        let parts = text.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2, (1...16).contains(parts[0].utf8.count), parts[0].utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }),
            let micros = Int64(parts[0]), parts[1].utf8.count == 36, let id = UUID(uuidString: String(parts[1])), id.lowercased == parts[1]
        else { throw APIError.badRequest("the cursor is not one this server issued", code: "invalid_query", field: "cursor") }
        return (micros, String(parts[1]))
    }
}
