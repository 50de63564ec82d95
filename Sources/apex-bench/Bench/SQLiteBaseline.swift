import ApexDomain
import Foundation
import GRDB

/// The raw SQLite baseline: its own GRDB `DatabasePool` on the same file as the Apex store,
/// with the same settings (WAL, `synchronous = FULL`, `secure_delete`), each write in its own
/// transaction (`pool.write`).
final class SQLiteBaseline: RawBaseline {
    let pool: DatabasePool

    init(path: String) throws {
        var config = Configuration()
        config.busyMode = .timeout(10)
        config.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = FULL; PRAGMA secure_delete = ON;")
        }
        pool = try DatabasePool(path: path, configuration: config)
        try pool.write { db in
            try db.execute(
                sql: """
                    CREATE TABLE IF NOT EXISTS raw_events (
                        position INTEGER PRIMARY KEY, stream_id TEXT NOT NULL, version INTEGER NOT NULL, id TEXT NOT NULL UNIQUE,
                        type TEXT NOT NULL, schema_version INTEGER NOT NULL, data TEXT NOT NULL, account_id TEXT NOT NULL,
                        actor TEXT NOT NULL, request_metadata TEXT NOT NULL, reason TEXT, recorded_at TEXT NOT NULL,
                        prev_hash TEXT NOT NULL, hash TEXT NOT NULL, UNIQUE (stream_id, version));
                    CREATE INDEX IF NOT EXISTS raw_events_by_account ON raw_events (account_id, position);
                    """)
        }
    }

    func insert(_ rows: [RawRow]) async throws {
        let placeholders = Array(repeating: "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", count: rows.count).joined(separator: ", ")
        let sql = "INSERT INTO raw_events (\(rawInsertColumns)) VALUES \(placeholders)"
        var values: [(any DatabaseValueConvertible)?] = []
        values.reserveCapacity(rows.count * 13)
        for r in rows {
            values += [
                r.stream, r.version, r.id.lowercased, r.type, r.schemaVersion, r.data, r.accountID.lowercased, r.actor,
                r.requestMetadata, r.reason, r.recordedAt, r.prevHash, r.hash,
            ]
        }
        let arguments = StatementArguments(values)
        try await pool.write { db in try db.execute(sql: sql, arguments: arguments) }
    }

    func selectStream(_ stream: StreamID) async throws -> Int {
        try await pool.read { db in
            var n = 0, bytes = 0
            let rows = try Row.fetchCursor(
                db, sql: "SELECT * FROM events WHERE stream_id = ? AND version >= 1 ORDER BY version", arguments: [stream.rawValue])
            while let row = try rows.next() {
                bytes += Self.touch(row)
                n += 1
            }
            return bytes > 0 ? n : 0
        }
    }

    func scanAll() async throws -> Int {
        try await pool.read { db in
            var n = 0, bytes = 0
            let rows = try Row.fetchCursor(db, sql: "SELECT * FROM events ORDER BY position")
            while let row = try rows.next() {
                bytes += Self.touch(row)
                n += 1
            }
            return bytes > 0 ? n : 0
        }
    }

    func hashAll() async throws -> Int {
        try await pool.read { db in
            var hasher = RowHasher()
            let rows = try Row.fetchCursor(db, sql: "SELECT * FROM events ORDER BY position")
            while let row = try rows.next() {
                Self.visit(row) { hasher.add($0) }
                hasher.endRow()
            }
            return hasher.rows
        }
    }

    func rows(after position: Int64, limit: Int) async throws -> [(position: Int64, recordedAt: String)] {
        try await pool.read { db in
            var result: [(position: Int64, recordedAt: String)] = []
            let rows = try Row.fetchCursor(
                db, sql: "SELECT * FROM raw_events WHERE position > ? ORDER BY position LIMIT ?", arguments: [position, limit])
            while let row = try rows.next() {
                Self.touch(row)
                result.append((row[0], row[11]))
            }
            return result
        }
    }

    func lastRawPosition() async throws -> Int64 {
        try await pool.read { db in try Int64.fetchOne(db, sql: "SELECT max(position) FROM raw_events") ?? 0 }
    }

    /// Nothing: SQLite plans these lookups by their indexes, without statistics.
    func refreshStatistics() async throws {}

    func settings() async throws -> [String: String] {
        try await pool.read { db in
            var s: [String: String] = [:]
            s["sqlite_version"] = try String.fetchOne(db, sql: "SELECT sqlite_version()")
            s["journal_mode"] = try String.fetchOne(db, sql: "PRAGMA journal_mode")
            let sync = try Int.fetchOne(db, sql: "PRAGMA synchronous") ?? -1
            s["synchronous"] = ["0": "OFF", "1": "NORMAL", "2": "FULL", "3": "EXTRA"]["\(sync)"] ?? "\(sync)"
            s["secure_delete"] = try String.fetchOne(db, sql: "PRAGMA secure_delete")
            s["page_size"] = try String.fetchOne(db, sql: "PRAGMA page_size")
            s["wal_autocheckpoint"] = try String.fetchOne(db, sql: "PRAGMA wal_autocheckpoint")
            s["fsync"] = "fsync per commit (WAL, synchronous=FULL)"
            return s
        }
    }

    func close() throws { try pool.close() }

    /// Reads every column as a Swift value (what a raw SELECT hands the caller); returns the bytes.
    @discardableResult
    private static func touch(_ row: Row) -> Int {
        var bytes = 0
        visit(row) { bytes += $0.utf8.count }
        return bytes
    }

    /// Every column of an `events` row, integers as decimal text.
    @inline(__always)
    private static func visit(_ row: Row, _ body: (String) -> Void) {
        let position: Int64 = row[0], version: Int64 = row[2], schema: Int64 = row[5]
        let reason: String? = row[10]
        body(String(position))
        body(row[1])
        body(String(version))
        for i in 3...4 { body(row[i]) }
        body(String(schema))
        for i in 6...9 { body(row[i]) }
        body(reason ?? "")
        for i in 11...13 { body(row[i]) }
    }
}
