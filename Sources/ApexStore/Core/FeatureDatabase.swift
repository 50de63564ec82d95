public import GRDB
public import PostgresNIO

/// The database a store keeps its log in, lent to the features beside the core for tables of
/// their own: a webhook outbox, a search index, usage counters.
///
/// A feature's tables are read models or work queues, never a second source of truth: each is
/// fed by a ``LogConsumer`` and can be rebuilt from the log. They live beside the log so that a
/// consumer can update them and many server instances can share them (on PostgreSQL, claim work
/// with `FOR UPDATE SKIP LOCKED`). A feature creates its tables itself, idempotently
/// (`CREATE TABLE IF NOT EXISTS`), with names prefixed by the feature (`webhook_…`, `search_…`);
/// it never writes the store's own tables (`events`, `streams`, `checkpoints`, …).
///
/// ```swift
/// switch store.featureDatabase {
/// case .sqlite(let pool): try await pool.write { db in try db.execute(sql: "CREATE TABLE IF NOT EXISTS …") }
/// case .postgres(let client): try await client.query("CREATE TABLE IF NOT EXISTS …")
/// case .none: break // the in-memory store: the feature keeps its state in memory
/// }
/// ```
public enum FeatureDatabase: Sendable {
    /// The SQLite store's GRDB pool (WAL: one writer, concurrent readers).
    case sqlite(DatabasePool)
    /// The PostgreSQL store's connection pool.
    case postgres(PostgresClient)
    /// A store without a database (``InMemoryEventStore``).
    case none
}

extension SQLiteEventStore {
    /// The store's SQLite database, for a feature's own tables (``FeatureDatabase``).
    public var featureDatabase: FeatureDatabase { .sqlite(pool) }
}

extension PostgresEventStore {
    /// The store's PostgreSQL pool, for a feature's own tables (``FeatureDatabase``).
    public var featureDatabase: FeatureDatabase { .postgres(client) }
}
