public import ApexDomain
import Foundation
import GRDB

extension SQLiteEventStore {
    /// Upserts the snapshot unless the one kept is newer (see ``EventStore/saveSnapshot(_:)``).
    public func saveSnapshot(_ s: StateSnapshot) async throws {
        try await write { db in
            try db.execute(
                sql: """
                    INSERT INTO snapshots (stream_id, version, domain_version, engine_version, state, state_hash, created_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT (stream_id) DO UPDATE SET version = excluded.version, domain_version = excluded.domain_version,
                        engine_version = excluded.engine_version, state = excluded.state, state_hash = excluded.state_hash,
                        created_at = excluded.created_at
                    WHERE excluded.domain_version > snapshots.domain_version
                        OR (excluded.domain_version = snapshots.domain_version AND excluded.version >= snapshots.version)
                    """,
                arguments: [s.stream.rawValue, s.version, s.domainVersion, s.engineVersion, s.state, s.stateHash, Timestamp.format(s.createdAt)])
        }
    }

    /// The stream's snapshot.
    public func loadSnapshot(_ stream: StreamID) async throws -> StateSnapshot? {
        try await read { db in try Row.fetchOne(db, sql: "SELECT * FROM snapshots WHERE stream_id = ?", arguments: [stream.rawValue]).map(Self.snapshot) }
    }

    /// All snapshots, by stream.
    public func snapshots() async throws -> [StateSnapshot] {
        try await read { db in try Row.fetchAll(db, sql: "SELECT * FROM snapshots ORDER BY stream_id").map(Self.snapshot) }
    }

    /// Deletes every snapshot.
    public func deleteSnapshots() async throws -> Int {
        try await write { db in
            try db.execute(sql: "DELETE FROM snapshots")
            return db.changesCount
        }
    }

    private static func snapshot(_ row: Row) -> StateSnapshot {
        StateSnapshot(
            stream: StreamID(rawValue: row["stream_id"]), version: row["version"], domainVersion: row["domain_version"],
            engineVersion: row["engine_version"], state: row["state"], stateHash: row["state_hash"],
            createdAt: Timestamp.parse(row["created_at"]) ?? .distantPast)
    }
}
