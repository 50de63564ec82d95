import ApexDomain
public import ApexStore
public import Foundation
public import Logging

/// Who has a project open, shared by every server instance on the store's database: the
/// feature table `live_presence`, one row per (project, user), refreshed by each heartbeat
/// and read only within its time to live, so a user who stops sending heartbeats drops out by
/// time alone. Expired rows are deleted by the next heartbeat on any project.
///
/// Presence is not part of the log: it is what people are doing now, not what they did.
public struct PresenceStore: Sendable {
    /// One user who has the project open.
    public struct Entry: Sendable, Hashable {
        /// The user.
        public var userID: UUID
        /// Since when (their first heartbeat after being absent).
        public var since: Date
        /// Their last heartbeat.
        public var lastSeen: Date
    }

    let sql: FeatureSQL
    let schema = FeatureSchema([
        """
        CREATE TABLE IF NOT EXISTS live_presence (
            project_id TEXT NOT NULL, user_id TEXT NOT NULL, account_id TEXT NOT NULL,
            since BIGINT NOT NULL, seen_at BIGINT NOT NULL, PRIMARY KEY (project_id, user_id)
        )
        """,
        "CREATE INDEX IF NOT EXISTS live_presence_seen ON live_presence (seen_at)",
    ])

    /// The presence table of `store` (none for the in-memory store: ``isAvailable`` is false).
    public init(store: any EventStore, logger: Logger) {
        self.sql = FeatureSQL(database: store.featureDatabase, logger: logger)
    }

    /// Whether the store keeps feature tables (SQLite, PostgreSQL).
    public var isAvailable: Bool { sql.isAvailable }

    /// Creates the table if missing (idempotent; instances racing on PostgreSQL retry once).
    public func prepare() async throws { try await schema.create(on: sql) }

    /// Records that `user` has `project` open at `now`; they count as present until `now + ttl`.
    /// A user whose last heartbeat expired starts a new `since`. Deletes every expired row.
    public func heartbeat(project: UUID, user: UUID, account: UUID, now: Date, ttl: Duration) async throws {
        let cutoff = Self.millis(now) - Self.millis(ttl)
        try await sql.run(
            """
            INSERT INTO live_presence (project_id, user_id, account_id, since, seen_at) VALUES (?, ?, ?, ?, ?)
            ON CONFLICT (project_id, user_id) DO UPDATE SET
                since = CASE WHEN live_presence.seen_at < ? THEN excluded.since ELSE live_presence.since END,
                seen_at = excluded.seen_at
            """, [.text(project.lowercased), .text(user.lowercased), .text(account.lowercased), .int(Self.millis(now)), .int(Self.millis(now)), .int(cutoff)])
        try await sql.run("DELETE FROM live_presence WHERE seen_at < ?", [.int(cutoff)])
    }

    /// Who has `project` open at `now`: heartbeats within `ttl`, the longest present first.
    public func present(project: UUID, now: Date, ttl: Duration) async throws -> [Entry] {
        let rows = try await sql.run(
            "SELECT user_id, since, seen_at FROM live_presence WHERE project_id = ? AND seen_at >= ? ORDER BY since, user_id",
            [.text(project.lowercased), .int(Self.millis(now) - Self.millis(ttl))], write: false)
        return rows.compactMap { row in
            guard case .text(let user)? = row["user_id"], let id = UUID(uuidString: user), case .int(let since)? = row["since"],
                case .int(let seen)? = row["seen_at"]
            else { return nil }
            return Entry(userID: id, since: Date(timeIntervalSince1970: Double(since) / 1000), lastSeen: Date(timeIntervalSince1970: Double(seen) / 1000))
        }
    }

    static func millis(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1000).rounded(.down)) }
    static func millis(_ duration: Duration) -> Int64 { duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000 }
}
