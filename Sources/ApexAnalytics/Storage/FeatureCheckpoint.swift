import ApexDomain
import ApexStore

/// A consumer's own checkpoint in `analytics_checkpoint`, moved in the same transaction as the
/// changes of the page it applied: the ``ConsumerRunner`` saves its position after the page, so a
/// crash between the two repeats the page, and this checkpoint is what makes the repeat harmless.
/// Both analytics consumers apply their pages through ``apply(_:_:)``.
struct FeatureCheckpoint: Sendable {
    /// The checkpoint moved while a page was applied (a rebuild started): the runner retries the page.
    struct Moved: Error, CustomStringConvertible {
        let name: String
        var description: String { "the \(name) checkpoint moved while a page was applied; the page is retried" }
    }

    /// The consumer's name (its row).
    let name: String
    let sql: FeatureSQL
    /// The consumer's tables, created on first use.
    let schema: FeatureSchema

    /// The last position applied (0 before the first).
    func position() async throws -> Int64 {
        try await sql.run("SELECT position FROM analytics_checkpoint WHERE name = ?", [.text(name)], write: false).first?["position"]?.int ?? 0
    }

    /// Applies the events of `page` after the checkpoint: `changes` turns them (never empty) into
    /// statements, written with the checkpoint's move in one transaction.
    func apply(_ page: [EventEnvelope], _ changes: ([EventEnvelope]) async throws -> [FeatureStatement]) async throws {
        guard sql.isAvailable else { return }
        try await schema.create(on: sql)
        let applied = try await position()
        let fresh = page.filter { $0.position > applied }
        guard let last = fresh.last?.position else { return }
        let statements = try await changes(fresh)
        guard try await sql.transaction([advance(from: applied, to: last)] + statements) else { throw Moved(name: name) }
    }

    /// Empties `tables` and forgets the checkpoint, in one transaction (before a replay).
    func reset(emptying tables: [String]) async throws {
        guard sql.isAvailable else { return }
        try await schema.create(on: sql)
        _ = try await sql.transaction(
            tables.map { FeatureStatement("DELETE FROM \($0)") } + [FeatureStatement("DELETE FROM analytics_checkpoint WHERE name = ?", [.text(name)])])
    }

    /// The statement moving it from `from` to `to`: a compare-and-set that returns no row (and
    /// so abandons the transaction) when another writer moved it first.
    private func advance(from: Int64, to: Int64) -> FeatureStatement {
        FeatureStatement(
            """
            INSERT INTO analytics_checkpoint (name, position) VALUES (?, ?)
            ON CONFLICT (name) DO UPDATE SET position = excluded.position WHERE analytics_checkpoint.position = ?
            RETURNING position
            """, [.text(name), .int(to), .int(from)], requiresRow: true)
    }
}
