import ApexDomain
import Crypto
import Foundation
import Logging
import PostgresNIO

extension PostgresEventStore {
    /// Every consumer's saved position.
    public func consumerPositions() async throws -> [ConsumerPosition] {
        try await Self.guarded {
            var result: [ConsumerPosition] = []
            for try await (name, position, updated, error, errorAt) in try await self.client.query(
                "SELECT name, position, updated_at, last_error, last_error_at FROM consumer_positions ORDER BY name", logger: self.logger
            ).decode((String, Int64, Date, String?, Date?).self) {
                result.append(ConsumerPosition(name: name, position: position, updatedAt: updated, lastError: error, lastErrorAt: errorAt))
            }
            return result
        }
    }

    /// Compare-and-set of a consumer's position: an `UPDATE … WHERE position = expected`, or for
    /// a consumer at 0 with no row, an `INSERT … ON CONFLICT DO NOTHING`.
    public func advanceConsumer(_ name: String, to position: Int64, from expected: Int64) async throws -> Bool {
        try await Self.guarded {
            try await self.client.withConnection { conn in
                var moved = false
                for try await _ in try await conn.query(
                    """
                    UPDATE consumer_positions SET position = \(position), updated_at = now(), last_error = NULL, last_error_at = NULL
                    WHERE name = \(name) AND position = \(expected) RETURNING 1
                    """, logger: self.logger
                ).decode(Int.self) { moved = true }
                guard !moved, expected == 0 else { return moved }
                for try await _ in try await conn.query(
                    "INSERT INTO consumer_positions (name, position) VALUES (\(name), \(position)) ON CONFLICT (name) DO NOTHING RETURNING 1",
                    logger: self.logger
                ).decode(Int.self) { moved = true }
                return moved
            }
        }
    }

    /// Records a consumer's last error.
    public func recordConsumerError(_ name: String, _ message: String) async throws {
        _ = try await Self.guarded {
            try await self.client.query(
                """
                INSERT INTO consumer_positions (name, position, last_error, last_error_at) VALUES (\(name), 0, \(ConsumerPosition.clipped(message)), now())
                ON CONFLICT (name) DO UPDATE SET last_error = excluded.last_error, last_error_at = excluded.last_error_at
                """, logger: self.logger)
        }
    }

    /// Sets a consumer back to 0.
    public func resetConsumer(_ name: String) async throws {
        _ = try await Self.guarded {
            try await self.client.query(
                """
                INSERT INTO consumer_positions (name, position) VALUES (\(name), 0)
                ON CONFLICT (name) DO UPDATE SET position = 0, updated_at = now(), last_error = NULL, last_error_at = NULL
                """, logger: self.logger)
        }
    }

    /// How often a claim's connection is checked while `body` runs.
    static let claimCheckInterval: Duration = .seconds(5)

    /// Holds a session advisory lock keyed by the name (``consumerClaimKey(_:)``) on one pooled
    /// connection for as long as `body` runs. The connection is checked every few seconds; if it
    /// fails, the lock is gone with it (another instance may take over), so `body` is cancelled
    /// and ``EventStoreError/Code/unavailable`` thrown. If the lock cannot be released, the
    /// connection is closed, so no pooled connection ever keeps a claim.
    public func withConsumerClaim<T: Sendable>(_ name: String, _ body: @escaping @Sendable () async throws -> T) async throws -> T? {
        let key = Self.consumerClaimKey(name)
        let logger = self.logger
        return try await Self.guarded {
            try await self.client.withConnection { conn -> T? in
                var claimed = false
                for try await got in try await conn.query("SELECT pg_try_advisory_lock(\(key))", logger: logger).decode(Bool.self) { claimed = got }
                guard claimed else { return nil }
                let outcome: Result<T, any Error>
                do { outcome = .success(try await Self.whileConnected(conn, logger, body)) } catch { outcome = .failure(error) }
                do {
                    try await conn.query("SELECT pg_advisory_unlock(\(key))", logger: logger)
                } catch {
                    try? await conn.close()
                }
                return try outcome.get()
            }
        }
    }

    /// Runs `body` while checking `conn` every ``claimCheckInterval``; a failed check cancels it.
    private static func whileConnected<T: Sendable>(
        _ conn: PostgresConnection, _ logger: Logger, _ body: @escaping @Sendable () async throws -> T
    ) async throws -> T {
        let interval = Self.claimCheckInterval
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { try await body() }
            group.addTask {
                while true {
                    try await Task.sleep(for: interval)
                    do { try await conn.query("SELECT 1", logger: logger) } catch {
                        throw EventStoreError(.unavailable, "lost the connection holding a consumer claim", underlying: error)
                    }
                }
            }
            defer { group.cancelAll() }
            while let result = try await group.next() {
                if let result { return result }
            }
            throw CancellationError()
        }
    }

    /// The advisory lock key of consumer `name`: the first 8 bytes of SHA-256 of `apex.consumer:NAME`.
    static func consumerClaimKey(_ name: String) -> Int64 {
        let digest = Array(SHA256.hash(data: Data("apex.consumer:\(name)".utf8)))
        return digest.prefix(8).reduce(Int64(0)) { ($0 << 8) | Int64($1) }
    }
}
