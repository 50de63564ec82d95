import ApexDomain
import Foundation

/// A store's search tables: SQLite FTS5 or PostgreSQL tsvector. Rows come back best first
/// (score descending, then key), already narrowed to one account and the filter, not yet to
/// what the caller may view (``SearchIndex`` asks the policy).
protocol SearchBackend: Sendable {
    /// Creates the tables if they are missing (idempotent, safe to run from many processes).
    func prepare() async throws
    /// Empties the index.
    func clear() async throws
    /// Replaces each project's documents, in one transaction, unless the index holds the
    /// project at a later version already.
    func replace(_ projects: [IndexedProject]) async throws
    /// Up to `limit` rows matching `query` in `account` within `scopes` (not empty), after `cursor`.
    func rows(
        account: UUID, query: SearchQuery, filter: SearchFilter, scopes: [SearchScope], after cursor: SearchCursor?, limit: Int
    ) async throws -> [SearchHit]
}

/// A project's documents at one version of its stream.
struct IndexedProject: Sendable {
    var projectID: UUID
    var version: Int64
    var documents: [SearchDocument]
}

/// Snippet markers: control characters, which stored text never holds (``TextRules``), replaced
/// by `<mark>` tags once the text around them is HTML-escaped.
enum SnippetMarks {
    static let open = "\u{2}"
    static let close = "\u{3}"
    static let ellipsis = "…"

    /// `raw` HTML-escaped, with the markers as `<mark>` and `</mark>`.
    static func html(_ raw: String) -> String {
        HTMLText.escape(raw, replacing: ["\u{2}": "<mark>", "\u{3}": "</mark>"])
    }
}
