public import ApexDomain
import Foundation
import PostgresNIO

extension PostgresEventStore {
    /// Upserts the snapshot unless the one kept is newer (see ``EventStore/saveSnapshot(_:)``).
    public func saveSnapshot(_ s: StateSnapshot) async throws {
        _ = try await Self.guarded {
            try await self.client.query(
                """
                INSERT INTO snapshots (stream_id, version, domain_version, engine_version, state, state_hash, created_at)
                VALUES (\(s.stream.rawValue), \(s.version), \(s.domainVersion), \(s.engineVersion), \(s.state), \(s.stateHash), \(s.createdAt))
                ON CONFLICT (stream_id) DO UPDATE SET version = excluded.version, domain_version = excluded.domain_version,
                    engine_version = excluded.engine_version, state = excluded.state, state_hash = excluded.state_hash,
                    created_at = excluded.created_at
                WHERE excluded.domain_version > snapshots.domain_version
                    OR (excluded.domain_version = snapshots.domain_version AND excluded.version >= snapshots.version)
                """, logger: self.logger)
        }
    }

    /// The stream's snapshot.
    public func loadSnapshot(_ stream: StreamID) async throws -> StateSnapshot? {
        try await select("WHERE stream_id = \(stream.rawValue)").first
    }

    /// All snapshots, by stream.
    public func snapshots() async throws -> [StateSnapshot] {
        try await select("ORDER BY stream_id")
    }

    /// Deletes every snapshot.
    public func deleteSnapshots() async throws -> Int {
        try await Self.guarded {
            var n = 0
            for try await _ in try await self.client.query("DELETE FROM snapshots RETURNING stream_id", logger: self.logger).decode(String.self) { n += 1 }
            return n
        }
    }

    private func select(_ clause: PostgresQuery) async throws -> [StateSnapshot] {
        let query = PostgresQuery(
            unsafeSQL: "SELECT stream_id, version, domain_version, engine_version, state, state_hash, created_at FROM snapshots " + clause.sql,
            binds: clause.binds)
        return try await Self.guarded {
            var result: [StateSnapshot] = []
            for try await (s, v, d, e, state, h, t) in try await self.client.query(query, logger: self.logger)
                .decode((String, Int64, Int, String, String, String, Date).self)
            {
                result.append(StateSnapshot(stream: StreamID(rawValue: s), version: v, domainVersion: d, engineVersion: e, state: state, stateHash: h, createdAt: t))
            }
            return result
        }
    }
}
