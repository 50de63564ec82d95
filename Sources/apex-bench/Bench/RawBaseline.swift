import ApexDomain
import Crypto
import Foundation
import Synchronization

/// What a user would do with the database directly, to compare Apex with: plain INSERTs into
/// `raw_events` (the columns and indexes of Apex's `events`, no triggers, no hashing, no
/// sealing, no stream head), and plain SELECTs of Apex's own `events` rows without decoding.
protocol RawBaseline: Sendable {
    /// Inserts the rows in one transaction: one INSERT for one row, one multi-row INSERT otherwise.
    func insert(_ rows: [RawRow]) async throws

    /// Reads the rows of one Apex stream, in version order, as column values (no JSON decoding).
    func selectStream(_ stream: StreamID) async throws -> Int

    /// Reads every Apex event row in position order with one plain SELECT; returns the row count.
    func scanAll() async throws -> Int

    /// Like ``scanAll()``, and computes a SHA-256 over each row's bytes.
    func hashAll() async throws -> Int

    /// The raw rows after `position` (a polling subscriber): positions and recorded-at texts.
    func rows(after position: Int64, limit: Int) async throws -> [(position: Int64, recordedAt: String)]

    /// The highest position in `raw_events` (0 when empty).
    func lastRawPosition() async throws -> Int64

    /// The database's durability settings as the baseline's connections see them.
    func settings() async throws -> [String: String]

    /// Brings the planner's statistics up to date, as a running database's autovacuum does
    /// within a minute of a table growing; called after a warm-up so that a scenario measures
    /// that steady state rather than plans cached while the tables were empty.
    func refreshStatistics() async throws
}

/// The raw writers' stream versions, kept in memory (a raw writer does not read a stream head).
final class RawVersions: Sendable {
    private let versions = Mutex<[String: Int64]>([:])

    /// The first of `count` consecutive new versions of `stream`.
    func reserve(_ stream: String, count: Int = 1) -> Int64 {
        versions.withLock { v in
            let first = (v[stream] ?? 0) + 1
            v[stream] = first + Int64(count) - 1
            return first
        }
    }
}

/// The raw baseline's per-row hash: SHA-256 over the row's column texts, as `verify` hashes a row.
struct RowHasher {
    private(set) var rows = 0
    private var sha = SHA256()

    init() {}

    mutating func add(_ text: String) {
        var text = text
        text.withUTF8 { sha.update(bufferPointer: UnsafeRawBufferPointer($0)) }
    }

    mutating func endRow() {
        _ = sha.finalize()
        sha = SHA256()
        rows += 1
    }
}

/// The columns Apex selects, with the same text conversions (PostgreSQL).
let apexEventColumns = """
    position, stream_id, version, id::text, type, schema_version, data::text, account_id::text, actor::text,
    request_metadata::text, reason, to_char(recorded_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'), prev_hash, hash
    """

/// The raw table's column list for INSERTs (the position is assigned by the database).
let rawInsertColumns = "stream_id, version, id, type, schema_version, data, account_id, actor, request_metadata, reason, recorded_at, prev_hash, hash"
