import ApexDomain
import Foundation
import GRDB

/// The index in the SQLite store's database: `search_documents` (facts to filter by) and the
/// FTS5 table `search_text` (name, description, extra; unicode61 without diacritics, prefix
/// indexes of 2 and 3 characters) sharing its rowid, and `search_projects` (the version each
/// project is indexed at). Ranked by `bm25` with weights 10 / 4 / 1, so a name hit outranks a
/// description hit; snippets by FTS5's `snippet()`.
struct SQLiteSearchBackend: SearchBackend {
    let pool: DatabasePool

    /// bm25 weights of name, description (body) and extra.
    static let weights = (name: 10.0, body: 4.0, extra: 1.0)

    func prepare() async throws {
        try await pool.write { db in
            try db.execute(sql: """
                CREATE TABLE IF NOT EXISTS search_projects (project_id TEXT PRIMARY KEY, version INTEGER NOT NULL);
                CREATE TABLE IF NOT EXISTS search_documents (
                    id INTEGER PRIMARY KEY, doc_key TEXT NOT NULL UNIQUE, kind TEXT NOT NULL, account_id TEXT NOT NULL,
                    project_id TEXT NOT NULL, item_id TEXT NOT NULL, status TEXT NOT NULL, client_id TEXT, tags TEXT NOT NULL,
                    project_name TEXT NOT NULL, title TEXT NOT NULL);
                CREATE INDEX IF NOT EXISTS search_documents_project ON search_documents (project_id);
                CREATE INDEX IF NOT EXISTS search_documents_account ON search_documents (account_id, kind);
                """)
            try db.create(virtualTable: "search_text", options: .ifNotExists, using: FTS5()) { t in
                t.tokenizer = .unicode61(diacritics: .remove)
                t.prefixes = [2, 3]
                t.column("name")
                t.column("body")
                t.column("extra")
            }
        }
    }

    func clear() async throws {
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM search_text; DELETE FROM search_documents; DELETE FROM search_projects;")
        }
    }

    func replace(_ projects: [IndexedProject]) async throws {
        try await pool.write { db in
            for project in projects {
                let id = project.projectID.lowercased
                let held = try Int64.fetchOne(db, sql: "SELECT version FROM search_projects WHERE project_id = ?", arguments: [id])
                if let held, held >= project.version { continue }
                let inserted: [SearchDocument]
                if let changes = project.changes(over: held) {
                    for key in changes.deleted {
                        try db.execute(sql: "DELETE FROM search_text WHERE rowid = (SELECT id FROM search_documents WHERE doc_key = ?)", arguments: [key])
                        try db.execute(sql: "DELETE FROM search_documents WHERE doc_key = ?", arguments: [key])
                    }
                    inserted = changes.inserted
                } else {
                    try db.execute(
                        sql: "DELETE FROM search_text WHERE rowid IN (SELECT id FROM search_documents WHERE project_id = ?)", arguments: [id])
                    try db.execute(sql: "DELETE FROM search_documents WHERE project_id = ?", arguments: [id])
                    inserted = project.documents
                }
                for d in inserted {
                    let tags = String(decoding: try JSONEncoder().encode(d.tags), as: UTF8.self)
                    try db.execute(
                        sql: """
                            INSERT INTO search_documents (doc_key, kind, account_id, project_id, item_id, status, client_id, tags, project_name, title)
                            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                            """,
                        arguments: [
                            d.key, d.kind.rawValue, d.accountID.lowercased, id, d.itemID.lowercased, d.status.rawValue, d.clientID?.lowercased,
                            tags, d.projectName, d.title,
                        ])
                    try db.execute(
                        sql: "INSERT INTO search_text (rowid, name, body, extra) VALUES (?, ?, ?, ?)",
                        arguments: [db.lastInsertedRowID, d.name, d.body, d.extra])
                }
                try db.execute(
                    sql: "INSERT INTO search_projects (project_id, version) VALUES (?, ?) ON CONFLICT (project_id) DO UPDATE SET version = excluded.version",
                    arguments: [id, project.version])
            }
        }
    }

    func rows(
        account: UUID, query: SearchQuery, filter: SearchFilter, scopes: [SearchScope], after cursor: SearchCursor?, limit: Int
    ) async throws -> [SearchHit] {
        let pattern = query.fts5Pattern
        var conditions = ["search_text MATCH ?", "d.account_id = ?"]
        var arguments: [(any DatabaseValueConvertible)?] = [pattern, account.lowercased]
        var scoped: [String] = []
        for scope in scopes {
            var parts = ["d.kind = ?"]
            arguments.append(scope.kind.rawValue)
            if let statuses = scope.statuses {
                parts.append("d.status IN (\(statuses.map { _ in "?" }.joined(separator: ", ")))")
                arguments += statuses.map(\.rawValue)
            }
            if let client = scope.clientID {
                parts.append("d.client_id = ?")
                arguments.append(client.lowercased)
            }
            scoped.append("(" + parts.joined(separator: " AND ") + ")")
        }
        conditions.append("(" + scoped.joined(separator: " OR ") + ")")
        if let status = filter.status {
            conditions.append("d.status = ?")
            arguments.append(status.rawValue)
        }
        if let tag = filter.tag {
            conditions.append("EXISTS (SELECT 1 FROM json_each(d.tags) WHERE json_each.value = ?)")
            arguments.append(tag)
        }
        if let client = filter.clientID {
            conditions.append("d.client_id = ?")
            arguments.append(client.lowercased)
        }
        let w = Self.weights
        var sql = """
            SELECT * FROM (
                SELECT d.doc_key, d.kind, d.project_id, d.item_id, d.status, d.client_id, d.tags, d.project_name, d.title,
                    -bm25(search_text, \(w.name), \(w.body), \(w.extra)) AS score,
                    snippet(search_text, -1, char(2), char(3), '…', 16) AS snippet
                FROM search_text JOIN search_documents d ON d.id = search_text.rowid
                WHERE \(conditions.joined(separator: " AND "))
            )
            """
        if let cursor {
            sql += " WHERE score < ? OR (score = ? AND doc_key > ?)"
            arguments += [cursor.score, cursor.score, cursor.key]
        }
        sql += " ORDER BY score DESC, doc_key ASC LIMIT ?"
        arguments.append(limit)
        let statementArguments = StatementArguments(arguments.map { $0?.databaseValue ?? .null })
        let statement = sql
        return try await pool.read { db in
            try Row.fetchAll(db, sql: statement, arguments: statementArguments).map { row in
                let tagsText: String = row["tags"]
                return SearchHit(
                    kind: SearchKind(rawValue: row["kind"]) ?? .project, itemID: UUID(uuidString: row["item_id"])!,
                    projectID: UUID(uuidString: row["project_id"])!, projectName: row["project_name"], title: row["title"],
                    status: ProjectStatus(rawValue: row["status"]) ?? .draft, clientID: (row["client_id"] as String?).flatMap(UUID.init(uuidString:)),
                    tags: (try? JSONDecoder().decode([String].self, from: Data(tagsText.utf8))) ?? [],
                    snippet: SnippetMarks.html(row["snippet"] ?? ""), score: row["score"], key: row["doc_key"])
            }
        }
    }
}
