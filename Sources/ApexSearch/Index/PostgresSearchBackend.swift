import ApexDomain
import Foundation
import Logging
import PostgresNIO

/// The index in the PostgreSQL store's database: `search_documents`, whose `document` column is
/// a generated `tsvector` (name weight A, description B, extra C; the `simple` configuration,
/// so words are matched as typed, like SQLite's) under a GIN index, and `search_projects` (the
/// version each project is indexed at). Ranked by `ts_rank`; snippets by `ts_headline`.
struct PostgresSearchBackend: SearchBackend {
    let client: PostgresClient
    let logger: Logger

    /// The schema, one statement each; run under a transaction-scoped advisory lock so that
    /// server instances starting together do not race to create it.
    static let schema = [
        "SELECT pg_advisory_xact_lock(hashtext('apex.search.schema'))",
        "CREATE TABLE IF NOT EXISTS search_projects (project_id uuid PRIMARY KEY, version bigint NOT NULL)",
        """
        CREATE TABLE IF NOT EXISTS search_documents (
            doc_key text COLLATE "C" PRIMARY KEY, kind text NOT NULL, account_id uuid NOT NULL, project_id uuid NOT NULL,
            item_id uuid NOT NULL, status text NOT NULL, client_id uuid, tags text[] NOT NULL, project_name text NOT NULL,
            title text NOT NULL, name text NOT NULL, body text NOT NULL, extra text NOT NULL,
            document tsvector GENERATED ALWAYS AS (
                setweight(to_tsvector('simple', name), 'A') || setweight(to_tsvector('simple', body), 'B')
                || setweight(to_tsvector('simple', extra), 'C')) STORED)
        """,
        "CREATE INDEX IF NOT EXISTS search_documents_document ON search_documents USING GIN (document)",
        "CREATE INDEX IF NOT EXISTS search_documents_account ON search_documents (account_id, kind)",
        "CREATE INDEX IF NOT EXISTS search_documents_project ON search_documents (project_id)",
    ]

    /// `ts_headline`'s options: the snippet markers, two fragments of up to 24 words.
    static let headlineOptions =
        "StartSel=\(SnippetMarks.open), StopSel=\(SnippetMarks.close), MaxWords=24, MinWords=8, MaxFragments=2, FragmentDelimiter=\" \(SnippetMarks.ellipsis) \""

    func prepare() async throws {
        try await client.withTransaction(logger: logger) { conn in
            for statement in Self.schema { try await conn.query(PostgresQuery(unsafeSQL: statement), logger: logger) }
        }
    }

    func clear() async throws {
        try await client.withTransaction(logger: logger) { conn in
            try await conn.query("DELETE FROM search_documents", logger: logger)
            try await conn.query("DELETE FROM search_projects", logger: logger)
        }
    }

    /// Three statements for the whole batch: claim the newer versions (locking their rows),
    /// delete those projects' documents, insert their new documents from arrays (`unnest`).
    func replace(_ projects: [IndexedProject]) async throws {
        guard !projects.isEmpty else { return }
        try await client.withTransaction(logger: logger) { conn in
            let ids = projects.map(\.projectID), versions = projects.map(\.version)
            // The versions held before this write (locked), to rewrite only what changed where
            // the index holds the version the consumer folded before.
            var held: [UUID: Int64] = [:]
            let rows = try await conn.query(
                "SELECT project_id, version FROM search_projects WHERE project_id = ANY (\(ids)::uuid[]) FOR UPDATE", logger: logger)
            for try await (id, version) in rows.decode((UUID, Int64).self) { held[id] = version }
            let newer = try await conn.query(
                """
                INSERT INTO search_projects (project_id, version) SELECT * FROM unnest(\(ids)::uuid[], \(versions)::bigint[])
                ON CONFLICT (project_id) DO UPDATE SET version = EXCLUDED.version WHERE search_projects.version < EXCLUDED.version
                RETURNING project_id
                """, logger: logger)
            var updated: Set<UUID> = []
            for try await id in newer.decode(UUID.self) { updated.insert(id) }
            guard !updated.isEmpty else { return }
            var replaced: [UUID] = [], deletedKeys: [String] = [], documents: [SearchDocument] = []
            for project in projects where updated.contains(project.projectID) {
                if let changes = project.changes(over: held[project.projectID]) {
                    deletedKeys += changes.deleted
                    documents += changes.inserted
                } else {
                    replaced.append(project.projectID)
                    documents += project.documents
                }
            }
            if !replaced.isEmpty { try await conn.query("DELETE FROM search_documents WHERE project_id = ANY (\(replaced)::uuid[])", logger: logger) }
            if !deletedKeys.isEmpty { try await conn.query("DELETE FROM search_documents WHERE doc_key = ANY (\(deletedKeys)::text[])", logger: logger) }
            guard !documents.isEmpty else { return }
            let tags = try documents.map { String(decoding: try JSONEncoder().encode($0.tags), as: UTF8.self) }
            try await conn.query(
                """
                INSERT INTO search_documents (doc_key, kind, account_id, project_id, item_id, status, client_id, tags, project_name, title, name, body, extra)
                SELECT k, kind, account::uuid, project::uuid, item::uuid, status, NULLIF(client, '')::uuid,
                    ARRAY(SELECT jsonb_array_elements_text(tags::jsonb)), project_name, title, name, body, extra
                FROM unnest(\(documents.map(\.key))::text[], \(documents.map(\.kind.rawValue))::text[], \(documents.map(\.accountID.lowercased))::text[],
                    \(documents.map(\.projectID.lowercased))::text[], \(documents.map(\.itemID.lowercased))::text[],
                    \(documents.map(\.status.rawValue))::text[], \(documents.map { $0.clientID?.lowercased ?? "" })::text[], \(tags)::text[],
                    \(documents.map(\.projectName))::text[], \(documents.map(\.title))::text[], \(documents.map(\.name))::text[],
                    \(documents.map(\.body))::text[], \(documents.map(\.extra))::text[])
                    AS u(k, kind, account, project, item, status, client, tags, project_name, title, name, body, extra)
                """, logger: logger)
        }
    }

    func rows(
        account: UUID, query: SearchQuery, filter: SearchFilter, scopes: [SearchScope], after cursor: SearchCursor?, limit: Int
    ) async throws -> [SearchHit] {
        var binds = PostgresBindings()
        func bind(_ value: some PostgresNonThrowingEncodable & Sendable) -> String {
            binds.append(value)
            return "$\(binds.count)"
        }
        let tsquery = "to_tsquery('simple', \(bind(query.tsquery)))"
        var conditions = ["d.account_id = \(bind(account))", "d.document @@ \(tsquery)"]
        let scoped = scopes.map { scope in
            var parts = ["d.kind = \(bind(scope.kind.rawValue))"]
            if let statuses = scope.statuses { parts.append("d.status = ANY (\(bind(statuses.map(\.rawValue))))") }
            if let client = scope.clientID { parts.append("d.client_id = \(bind(client))") }
            return "(" + parts.joined(separator: " AND ") + ")"
        }
        conditions.append("(" + scoped.joined(separator: " OR ") + ")")
        if let status = filter.status { conditions.append("d.status = \(bind(status.rawValue))") }
        if let tag = filter.tag { conditions.append("\(bind(tag)) = ANY (d.tags)") }
        if let client = filter.clientID { conditions.append("d.client_id = \(bind(client))") }
        var after = ""
        if let cursor {
            let score = bind(Float(cursor.score))
            after = "WHERE score < \(score)::real OR (score = \(score)::real AND doc_key > \(bind(cursor.key)))"
        }
        let sql = """
            SELECT doc_key, kind, project_id, item_id, status, client_id, tags, project_name, title, score,
                ts_headline('simple', name || E'\\n' || body || E'\\n' || extra, \(tsquery), \(bind(Self.headlineOptions))) AS snippet
            FROM (
                SELECT d.*, ts_rank(d.document, \(tsquery)) AS score FROM search_documents d
                WHERE \(conditions.joined(separator: " AND "))
            ) s
            \(after)
            ORDER BY score DESC, doc_key ASC LIMIT \(bind(limit))
            """
        var hits: [SearchHit] = []
        let rows = try await client.query(PostgresQuery(unsafeSQL: sql, binds: binds), logger: logger)
        for try await (key, kind, project, item, status, clientID, tags, projectName, title, score, snippet) in rows.decode(
            (String, String, UUID, UUID, String, UUID?, [String], String, String, Float, String).self)
        {
            hits.append(
                SearchHit(
                    kind: SearchKind(rawValue: kind) ?? .project, itemID: item, projectID: project, projectName: projectName, title: title,
                    status: ProjectStatus(rawValue: status) ?? .draft, clientID: clientID, tags: tags, snippet: SnippetMarks.html(snippet),
                    score: Double(score), key: key))
        }
        return hits
    }
}
