import ApexDomain
import Foundation
import Logging
import PostgresNIO

/// The raw PostgreSQL baseline: its own `PostgresClient` (same configuration and pool size as
/// the Apex store's) on the same database; each INSERT is one statement in its own implicit
/// transaction, committed with the server's durability settings.
final class PostgresBaseline: RawBaseline {
    let client: PostgresClient
    let logger: Logger

    init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    /// Creates `raw_events`: Apex's `events` columns and indexes, without the triggers; the
    /// position is an identity column.
    func createTable() async throws {
        try await client.query(
            """
            CREATE TABLE IF NOT EXISTS raw_events (
                position bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, stream_id text NOT NULL, version bigint NOT NULL,
                id uuid NOT NULL UNIQUE, type text NOT NULL, schema_version int NOT NULL, data json NOT NULL, account_id uuid NOT NULL,
                actor json NOT NULL, request_metadata json NOT NULL, reason text, recorded_at timestamptz NOT NULL,
                prev_hash text NOT NULL, hash text NOT NULL, UNIQUE (stream_id, version))
            """, logger: logger)
        try await client.query("CREATE INDEX IF NOT EXISTS raw_events_by_account ON raw_events (account_id, position)", logger: logger)
    }

    func insert(_ rows: [RawRow]) async throws {
        var binds = PostgresBindings(capacity: rows.count * 13)
        var tuples: [String] = []
        tuples.reserveCapacity(rows.count)
        for (i, r) in rows.enumerated() {
            let b = i * 13
            tuples.append(
                "($\(b + 1), $\(b + 2), $\(b + 3), $\(b + 4), $\(b + 5), $\(b + 6)::json, $\(b + 7), $\(b + 8)::json, $\(b + 9)::json, $\(b + 10), $\(b + 11)::timestamptz, $\(b + 12), $\(b + 13))"
            )
            binds.append(r.stream)
            binds.append(r.version)
            binds.append(r.id)
            binds.append(r.type)
            binds.append(r.schemaVersion)
            binds.append(r.data)
            binds.append(r.accountID)
            binds.append(r.actor)
            binds.append(r.requestMetadata)
            binds.append(r.reason)
            binds.append(r.recordedAt)
            binds.append(r.prevHash)
            binds.append(r.hash)
        }
        let sql = "INSERT INTO raw_events (\(rawInsertColumns)) VALUES \(tuples.joined(separator: ", "))"
        try await client.query(PostgresQuery(unsafeSQL: sql, binds: binds), logger: logger)
    }

    typealias Columns = (Int64, String, Int64, String, String, Int, String, String, String, String, String?, String, String, String)

    func selectStream(_ stream: StreamID) async throws -> Int {
        try await scan("SELECT \(unescaped: apexEventColumns) FROM events WHERE stream_id = \(stream.rawValue) AND version >= 1 ORDER BY version") { _ in }
    }

    func scanAll() async throws -> Int {
        try await scan("SELECT \(unescaped: apexEventColumns) FROM events ORDER BY position") { _ in }
    }

    func hashAll() async throws -> Int {
        var hasher = RowHasher()
        _ = try await scan("SELECT \(unescaped: apexEventColumns) FROM events ORDER BY position") { r in
            hasher.add(String(r.0))
            hasher.add(r.1)
            hasher.add(String(r.2))
            hasher.add(r.3)
            hasher.add(r.4)
            hasher.add(String(r.5))
            hasher.add(r.6)
            hasher.add(r.7)
            hasher.add(r.8)
            hasher.add(r.9)
            hasher.add(r.10 ?? "")
            hasher.add(r.11)
            hasher.add(r.12)
            hasher.add(r.13)
            hasher.endRow()
        }
        return hasher.rows
    }

    func rows(after position: Int64, limit: Int) async throws -> [(position: Int64, recordedAt: String)] {
        var result: [(position: Int64, recordedAt: String)] = []
        _ = try await scan(
            "SELECT \(unescaped: apexEventColumns) FROM raw_events WHERE position > \(position) ORDER BY position LIMIT \(Int64(limit))"
        ) { r in result.append((r.0, r.11)) }
        return result
    }

    func lastRawPosition() async throws -> Int64 {
        var last: Int64 = 0
        for try await p in try await client.query("SELECT max(position) FROM raw_events", logger: logger).decode(Int64?.self) {
            last = p ?? 0
        }
        return last
    }

    /// `ANALYZE` of every table, Apex's and the baseline's. A prepared statement's generic plan
    /// is fixed from the statistics it was planned with: one planned while `events` was empty
    /// scans the whole table for an id lookup until autovacuum's first `ANALYZE`, which a
    /// scenario on a new database may or may not see.
    func refreshStatistics() async throws {
        try await client.query("ANALYZE", logger: logger)
    }

    func settings() async throws -> [String: String] {
        var s: [String: String] = [:]
        for name in [
            "server_version", "fsync", "synchronous_commit", "wal_sync_method", "full_page_writes", "wal_level", "commit_delay",
            "shared_buffers", "max_connections",
        ] {
            for try await value in try await client.query(PostgresQuery(unsafeSQL: "SHOW \(name)"), logger: logger).decode(String.self) {
                s[name] = value
            }
        }
        return s
    }

    /// Runs a SELECT of Apex's columns, handing each row's values to `visit`; returns the row count.
    private func scan(_ query: PostgresQuery, _ visit: (Columns) -> Void) async throws -> Int {
        var n = 0
        for try await row in try await client.query(query, logger: logger).decode(Columns.self) {
            visit(row)
            n += 1
        }
        return n
    }
}
