import ApexDomain
import ApexSearch
import ApexStore
import Foundation
import HTTPTypes
import Hummingbird

/// `GET /v1/search`: full-text search over the projects, calculations and files the caller
/// may view (``SearchIndex``), ranked, with a highlighted snippet per hit, paged by cursor.
struct SearchRoutes {
    let api: ApexAPI

    func register(on router: RouterGroup<ApexRequestContext>) {
        router.get("search") { request, context in try await search(request, context) }
    }

    func search(_ request: Request, _ context: ApexRequestContext) async throws -> Response {
        let me = try context.requireIdentity()
        guard let text = request.query("q"), !text.allSatisfy(\.isWhitespace) else {
            throw APIError.badRequest("q is required: the words to find", code: "invalid_query", field: "q")
        }
        let query = try Self.query(text)
        let limit = try Self.limit(request.query("limit"))
        let filter = try SearchFilter(
            kind: Self.enumValue(request.query("type"), "type", SearchKind.self),
            status: Self.enumValue(request.query("status"), "status", ProjectStatus.self),
            tag: request.query("tag"),
            clientID: request.query("client_id").map { text in
                guard let id = UUID(uuidString: text) else {
                    throw APIError.badRequest("client_id must be a user id (a UUID)", code: "invalid_query", field: "client_id")
                }
                return id
            })
        let page = try await Self.mapped {
            try await api.search.search(
                query, filter: filter, principal: me.principal, now: api.configuration.clock(), cursor: request.query("cursor"), limit: limit)
        }
        let next: JSONValue = page.nextCursor.map { .string($0) } ?? .null
        return Response.json(["items": .array(page.hits.map(Self.present)), "next_cursor": next, "index_lag": .number(Double(page.lag))])
    }

    /// A hit as the API shows it.
    static func present(_ hit: SearchHit) -> JSONValue {
        [
            "type": .string(hit.kind.rawValue), "id": .string(hit.itemID.lowercased), "project_id": .string(hit.projectID.lowercased),
            "project_name": .string(hit.projectName), "name": .string(hit.title), "status": .string(hit.status.rawValue),
            "client_id": hit.clientID.map { .string($0.lowercased) } ?? .null, "tags": .array(hit.tags.map { .string($0) }),
            "snippet": .string(hit.snippet),
        ]
    }

    /// `q` parsed, or 400 `invalid_query`.
    static func query(_ text: String) throws -> SearchQuery {
        try mappedSync { try SearchQuery(text) }
    }

    /// 1-100, default 20; else 400 `invalid_query`.
    static func limit(_ text: String?) throws -> Int {
        guard let text else { return 20 }
        guard let n = Int(text), (1...100).contains(n) else {
            throw APIError.badRequest("limit must be a whole number from 1 to 100", code: "invalid_query", field: "limit")
        }
        return n
    }

    static func enumValue<T: RawRepresentable & CaseIterable>(_ text: String?, _ field: String, _: T.Type) throws -> T? where T.RawValue == String {
        guard let text else { return nil }
        guard let value = T(rawValue: text) else {
            throw APIError.badRequest(
                "\(field) must be one of \(T.allCases.map(\.rawValue).joined(separator: ", "))", code: "invalid_query", field: field)
        }
        return value
    }

    /// `work`, with a ``SearchError`` as the API's problem: 400 for a bad query or cursor, 503
    /// for a store without a search index.
    static func mapped<T>(_ work: () async throws -> T) async throws -> T {
        do { return try await work() } catch let error as SearchError { throw APIError(error) }
    }

    static func mappedSync<T>(_ work: () throws -> T) throws -> T {
        do { return try work() } catch let error as SearchError { throw APIError(error) }
    }
}

extension APIError {
    /// A search error as a problem: 400 for a bad query or cursor, 503 without an index.
    init(_ error: SearchError) {
        let status: HTTPResponse.Status = error.code == .unavailable ? .serviceUnavailable : .badRequest
        self.init(status, code: error.code.description, error.message, field: error.field)
    }
}
