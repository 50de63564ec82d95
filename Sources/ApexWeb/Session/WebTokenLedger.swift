public import ApexStore
public import Foundation
public import Logging

/// Ids of web tokens that may no longer be used, shared by every instance through the store's
/// database (the feature table `web_spent_tokens`): sign-in links once exchanged, sessions once
/// signed out. A row is kept until the token would have expired anyway, then deleted.
public struct WebTokenLedger: Sendable {
    /// What a spent id was.
    public enum Kind: String, Sendable {
        /// A sign-in link, exchanged for a session.
        case signInLink = "sign_in_link"
        /// A session, signed out.
        case session
    }

    let sql: FeatureSQL
    let schema = FeatureSchema([
        """
        CREATE TABLE IF NOT EXISTS web_spent_tokens (
            id TEXT PRIMARY KEY, kind TEXT NOT NULL, spent_at BIGINT NOT NULL, expires_at BIGINT NOT NULL
        )
        """,
        "CREATE INDEX IF NOT EXISTS web_spent_tokens_expiry ON web_spent_tokens (expires_at)",
    ])

    /// The ledger in `store`'s database (none for the in-memory store: ``isAvailable`` is false).
    public init(store: any EventStore, logger: Logger) {
        sql = FeatureSQL(database: store.featureDatabase, logger: logger)
    }

    /// Whether the store keeps feature tables (SQLite, PostgreSQL).
    public var isAvailable: Bool { sql.isAvailable }

    /// Creates the table if missing (idempotent).
    public func prepare() async throws { try await schema.create(on: sql) }

    /// Spends `id`: true when this call did, false when it was already spent (by any instance).
    /// Deletes the rows of tokens expired before `now`.
    public func spend(_ id: String, kind: Kind, expiresAt: Date, now: Date) async throws -> Bool {
        guard isAvailable else { throw WebError(.unavailable, "this store keeps no feature tables; sign-in links need SQLite or PostgreSQL") }
        try await sql.run("DELETE FROM web_spent_tokens WHERE expires_at < ?", [.int(Self.millis(now))])
        let rows = try await sql.run(
            "INSERT INTO web_spent_tokens (id, kind, spent_at, expires_at) VALUES (?, ?, ?, ?) ON CONFLICT (id) DO NOTHING RETURNING id",
            [.text(id), .text(kind.rawValue), .int(Self.millis(now)), .int(Self.millis(expiresAt))])
        return !rows.isEmpty
    }

    /// Whether `id` was spent.
    public func isSpent(_ id: String) async throws -> Bool {
        guard isAvailable else { return false }
        return !(try await sql.run("SELECT id FROM web_spent_tokens WHERE id = ?", [.text(id)], write: false)).isEmpty
    }

    static func millis(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1000).rounded(.down)) }
}
