public import ApexDomain
public import ApexStore
public import Foundation
public import Logging

/// The full-text index of one store: its tables in the store's database (SQLite FTS5 or
/// PostgreSQL tsvector, see ``FeatureDatabase``), kept current by ``consumer`` (a checkpointed
/// consumer of the log named `search`), and queried with ``search(_:filter:principal:now:cursor:limit:)``,
/// which shows only what the caller may view under the same ``AccessPolicy`` as the project routes.
///
/// ```swift
/// let index = SearchIndex(store: store, logger: logger)
/// let page = try await index.search(try SearchQuery("pylon aus"), principal: me, now: Date(), limit: 20)
/// ```
public struct SearchIndex: Sendable {
    /// How long a search waits for the index to catch up with the log, and how far behind it
    /// may be for the request to do the catching up itself.
    public struct Options: Sendable {
        /// The longest a search waits for the index to reach the log's head as of the request;
        /// after it, the search answers from the index as it is (``SearchPage/lag`` says by how much).
        public var catchUpWait: Duration = .seconds(2)
        /// A request whose index lags by at most this many events indexes them itself when no
        /// runner holds the `search` consumer's claim; a longer lag is left to the runner.
        public var inlineCatchUpLimit: Int64 = 5_000

        /// Defaults.
        public init() {}
    }

    /// The consumer keeping the index current; run it with a ``ConsumerRunner`` (the server's
    /// ``ConsumerService`` does).
    public let consumer: SearchConsumer
    let backend: (any SearchBackend)?
    let store: any EventStore
    let options: Options
    let logger: Logger

    /// The index in `store`'s database; on a store without one (in memory), searches throw
    /// ``SearchError/Code/unavailable`` and the consumer does nothing.
    public init(store: any EventStore, options: Options = Options(), logger: Logger) {
        let backend: (any SearchBackend)? =
            switch store.featureDatabase {
            case .sqlite(let pool): SQLiteSearchBackend(pool: pool)
            case .postgres(let client): PostgresSearchBackend(client: client, logger: logger)
            case .none: nil
            }
        let prepared = backend.map { PreparedBackend($0) }
        self.backend = prepared
        self.store = store
        self.options = options
        self.logger = logger
        self.consumer = SearchConsumer(backend: prepared, store: store)
    }

    /// A page of hits for `query`, best first: only the caller's account, only what
    /// ``AccessPolicy`` lets `principal` view (`project.view`, `calculation.view` or `file.view`
    /// on the hit's project), narrowed by `filter`, after `cursor` (from ``SearchPage/nextCursor``).
    /// Catches the index up with the log first (see ``Options``).
    public func search(
        _ query: SearchQuery, filter: SearchFilter = SearchFilter(), principal: Principal, now: Date, cursor: String? = nil, limit: Int
    ) async throws -> SearchPage {
        guard let backend else { throw SearchError(.unavailable, "search needs a SQLite or PostgreSQL store") }
        var after = try cursor.map { text throws(SearchError) in try SearchCursor.decode(text, query: query, filter: filter) }
        let lag = try await catchUp()
        let scopes = SearchScope.scopes(of: principal, kind: filter.kind)
        guard !scopes.isEmpty else { return SearchPage(hits: [], nextCursor: nil, lag: lag) }
        var visible: [SearchHit] = []
        // The scopes leave (almost) only visible rows: one more than a page tells whether another follows.
        let batch = limit + 1
        while visible.count <= limit {
            let rows = try await backend.rows(
                account: principal.accountID, query: query, filter: filter, scopes: scopes, after: after, limit: batch)
            for row in rows where visible.count <= limit && Self.mayView(principal, row, now: now) { visible.append(row) }
            guard rows.count == batch, let last = rows.last else { break }
            after = SearchCursor(score: last.score, key: last.key)
        }
        let hits = Array(visible.prefix(limit))
        let next = visible.count > limit ? SearchCursor.encode(after: hits[hits.count - 1], query: query, filter: filter) : nil
        return SearchPage(hits: hits, nextCursor: next, lag: lag)
    }

    /// The projects of `account` whose own text (name, description, tags, site) matches
    /// `query`, visible or not: for a project list that applies the policy itself. Catches up first.
    public func projectIDs(matching query: SearchQuery, account: UUID) async throws -> Set<UUID> {
        guard let backend else { throw SearchError(.unavailable, "search needs a SQLite or PostgreSQL store") }
        _ = try await catchUp()
        var ids: Set<UUID> = []
        var after: SearchCursor?
        let batch = 1_000
        while true {
            let rows = try await backend.rows(
                account: account, query: query, filter: SearchFilter(), scopes: [SearchScope(kind: .project)], after: after, limit: batch)
            ids.formUnion(rows.map(\.projectID))
            guard rows.count == batch, let last = rows.last else { return ids }
            after = SearchCursor(score: last.score, key: last.key)
        }
    }

    /// Whether the policy lets `principal` view `hit`'s project part.
    static func mayView(_ principal: Principal, _ hit: SearchHit, now: Date) -> Bool {
        let project = ProjectResource(accountID: principal.accountID, projectID: hit.projectID, status: hit.status, clientID: hit.clientID)
        return AccessPolicy.decide(principal, hit.kind.viewPermission, .project(project), AccessContext(now: now)).isAllowed
    }
}
