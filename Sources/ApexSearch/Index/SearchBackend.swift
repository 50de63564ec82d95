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
    /// The documents of an earlier version the consumer folded, when it has them: where the
    /// index holds exactly that version, only the documents that differ are rewritten (a write
    /// to a project with hundreds of calculations re-indexes what it changed, not all of them).
    var previous: (version: Int64, documents: [SearchDocument])? = nil

    /// What to write when the index holds `held`: the keys to delete and the documents to
    /// insert, or nil to replace all of the project's documents.
    ///
    /// Both lists are in the order ``SearchDocument/documents(of:)`` makes them
    /// (``SearchDocument/precedes(_:)``), so one pass over the two finds what differs, without
    /// a key per document; lists out of that order (never made) replace everything instead.
    func changes(over held: Int64?) -> (deleted: [String], inserted: [SearchDocument])? {
        guard let previous, held == previous.version else { return nil }
        let (old, new) = (previous.documents, documents)
        guard SearchDocument.isInOrder(old), SearchDocument.isInOrder(new) else { return nil }
        var deleted: [String] = []
        var inserted: [SearchDocument] = []
        var (i, j) = (0, 0)
        while i < old.count || j < new.count {
            if j == new.count || (i < old.count && old[i].precedes(new[j])) {
                deleted.append(old[i].key)
                i += 1
            } else if i == old.count || new[j].precedes(old[i]) {
                inserted.append(new[j])
                j += 1
            } else {
                if old[i] != new[j] {
                    deleted.append(old[i].key)
                    inserted.append(new[j])
                }
                (i, j) = (i + 1, j + 1)
            }
        }
        return (deleted, inserted)
    }
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
