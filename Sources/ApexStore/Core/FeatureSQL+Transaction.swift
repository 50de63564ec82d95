import GRDB
import PostgresNIO

/// One statement of a ``FeatureSQL/transaction(_:)``.
public struct FeatureStatement: Sendable {
    /// The SQL, in ``FeatureSQL``'s dialect.
    public var sql: String
    /// Its values.
    public var binds: [FeatureSQLValue]
    /// Whether the transaction goes on only if this statement returns a row (a compare-and-set
    /// written as `UPDATE … WHERE position = ? RETURNING …`): when it returns none, everything
    /// is rolled back and ``FeatureSQL/transaction(_:)`` returns false.
    public var requiresRow: Bool

    /// A statement.
    public init(_ sql: String, _ binds: [FeatureSQLValue] = [], requiresRow: Bool = false) {
        self.sql = sql
        self.binds = binds
        self.requiresRow = requiresRow
    }
}

extension FeatureSQL {
    /// Runs `statements` in order in one transaction: all or nothing. Returns false, having
    /// written nothing, when a statement marked ``FeatureStatement/requiresRow`` returned no
    /// row; a failing statement rolls back and throws.
    ///
    /// A consumer keeping counters writes a page's increments and its own checkpoint this way
    /// (the checkpoint first, as a compare-and-set), so a repeated page adds nothing twice.
    public func transaction(_ statements: [FeatureStatement]) async throws -> Bool {
        try await abandonable { try await run(statements) }
    }

    private func run(_ statements: [FeatureStatement]) async throws -> Bool {
        switch database {
        case .sqlite(let pool):
            let prepared = statements.map { (Self.sqlite($0.sql, $0.binds), $0.requiresRow) }
            return try await pool.write { db in
                for (statement, requiresRow) in prepared where try Self.rows(db, statement).isEmpty && requiresRow {
                    throw Abandoned()
                }
                return true
            }
        case .postgres(let client):
            return try await client.withTransaction(logger: logger) { connection in
                for statement in statements {
                    let rows = try await Self.rows(try await connection.query(Self.postgres(statement.sql, statement.binds), logger: logger))
                    if rows.isEmpty && statement.requiresRow { throw Abandoned() }
                }
                return true
            }
        case .none:
            throw EventStoreError(.unavailable, "this feature needs a SQLite or PostgreSQL store")
        }
    }

    /// `work`, with an abandoned transaction as false.
    private func abandonable(_ work: () async throws -> Bool) async throws -> Bool {
        do { return try await work() } catch is Abandoned { return false } catch let error as PostgresTransactionError where error.closureError is Abandoned {
            return false
        }
    }
}

/// Thrown inside a transaction to roll it back when a required row is missing.
private struct Abandoned: Error {}
