import ApexStore

/// A consumer's own checkpoint in `analytics_checkpoint`, moved in the same transaction as the
/// changes of the page it applied: the ``ConsumerRunner`` saves its position after the page, so a
/// crash between the two repeats the page, and this checkpoint is what makes the repeat harmless.
struct FeatureCheckpoint: Sendable {
    /// The checkpoint moved while a page was applied (a rebuild started): the runner retries the page.
    struct Moved: Error, CustomStringConvertible {
        let name: String
        var description: String { "the \(name) checkpoint moved while a page was applied; the page is retried" }
    }

    /// The consumer's name (its row).
    let name: String
    let sql: FeatureSQL

    /// The last position applied (0 before the first).
    func position() async throws -> Int64 {
        try await sql.run("SELECT position FROM analytics_checkpoint WHERE name = ?", [.text(name)], write: false).first?["position"]?.int ?? 0
    }

    /// The statement moving it from `from` to `to`: a compare-and-set that returns no row (and
    /// so abandons the transaction) when another writer moved it first.
    func advance(from: Int64, to: Int64) -> FeatureStatement {
        FeatureStatement(
            """
            INSERT INTO analytics_checkpoint (name, position) VALUES (?, ?)
            ON CONFLICT (name) DO UPDATE SET position = excluded.position WHERE analytics_checkpoint.position = ?
            RETURNING position
            """, [.text(name), .int(to), .int(from)], requiresRow: true)
    }

    /// The statement forgetting it (before a replay).
    var reset: FeatureStatement { FeatureStatement("DELETE FROM analytics_checkpoint WHERE name = ?", [.text(name)]) }
}
