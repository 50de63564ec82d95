import ApexDomain
import Foundation
import GRDB

extension SQLiteEventStore {
    /// Every consumer's saved position.
    public func consumerPositions() async throws -> [ConsumerPosition] {
        try await read { db in
            try Row.fetchAll(db, sql: "SELECT name, position, updated_at, last_error, last_error_at FROM consumer_positions ORDER BY name").map { row in
                ConsumerPosition(
                    name: row["name"], position: row["position"], updatedAt: Timestamp.parse(row["updated_at"]) ?? .distantPast,
                    lastError: row["last_error"], lastErrorAt: (row["last_error_at"] as String?).flatMap(Timestamp.parse))
            }
        }
    }

    /// Compare-and-set of a consumer's position, in one write transaction.
    public func advanceConsumer(_ name: String, to position: Int64, from expected: Int64) async throws -> Bool {
        let now = Timestamp.format(Date())
        return try await write { db in
            try db.execute(
                sql: "UPDATE consumer_positions SET position = ?, updated_at = ?, last_error = NULL, last_error_at = NULL WHERE name = ? AND position = ?",
                arguments: [position, now, name, expected])
            if db.changesCount == 1 { return true }
            guard expected == 0 else { return false }
            try db.execute(
                sql: "INSERT INTO consumer_positions (name, position, updated_at) VALUES (?, ?, ?) ON CONFLICT (name) DO NOTHING",
                arguments: [name, position, now])
            return db.changesCount == 1
        }
    }

    /// Records a consumer's last error.
    public func recordConsumerError(_ name: String, _ message: String) async throws {
        let now = Timestamp.format(Date())
        try await write { db in
            try db.execute(
                sql: """
                    INSERT INTO consumer_positions (name, position, updated_at, last_error, last_error_at) VALUES (?, 0, ?, ?, ?)
                    ON CONFLICT (name) DO UPDATE SET last_error = excluded.last_error, last_error_at = excluded.last_error_at
                    """,
                arguments: [name, now, ConsumerPosition.clipped(message), now])
        }
    }

    /// Sets a consumer back to 0.
    public func resetConsumer(_ name: String) async throws {
        let now = Timestamp.format(Date())
        try await write { db in
            try db.execute(
                sql: """
                    INSERT INTO consumer_positions (name, position, updated_at) VALUES (?, 0, ?)
                    ON CONFLICT (name) DO UPDATE SET position = 0, updated_at = excluded.updated_at, last_error = NULL, last_error_at = NULL
                    """,
                arguments: [name, now])
        }
    }

    /// Holds the claim in this process, keyed by the database file: one process runs SQLite's consumers.
    public func withConsumerClaim<T: Sendable>(_ name: String, _ body: @escaping @Sendable () async throws -> T) async throws -> T? {
        try await ConsumerClaims.process.with("sqlite:" + pool.path + "\u{0}" + name, body)
    }
}
