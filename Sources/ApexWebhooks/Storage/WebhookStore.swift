import ApexDomain
public import ApexStore
public import Foundation
public import Logging
import Synchronization

/// The webhook feature's tables in the store's database (``WebhookSchema``): secrets, the
/// endpoints as the log describes them, the messages to deliver and every attempt.
public struct WebhookStore: Sendable {
    let sql: WebhookSQL
    let schema = FeatureSchema(WebhookSchema.statements)
    /// Whether secrets stored in plaintext by an earlier version were sealed already.
    let sealed = Sealed()
    /// Seals and opens the signing secrets; nil for a reader that never touches them (the
    /// consumer, `apex-cli webhooks deliveries`): it cannot write or sign.
    let box: WebhookSecretBox?

    /// The tables of `store` (none for the in-memory store: ``isAvailable`` is false); `secrets`
    /// seals the signing secrets (needed to create, rotate and deliver).
    public init(store: any EventStore, secrets: WebhookSecretBox? = nil, logger: Logger = Logger(label: "apex.webhooks")) {
        self.sql = WebhookSQL(database: store.featureDatabase, logger: logger)
        self.box = secrets
    }

    /// Whether the store keeps feature tables (SQLite, PostgreSQL).
    public var isAvailable: Bool { sql.isAvailable }

    /// Creates the tables if missing (idempotent; several instances may race on PostgreSQL, so
    /// a failure is retried once), and, with a ``WebhookSecretBox``, seals secrets an earlier
    /// version stored in plaintext.
    /// Done once per value (and its copies): DDL takes table locks on PostgreSQL, so it is not
    /// repeated with every page of the log.
    public func prepare() async throws {
        try await schema.create(on: sql)
        guard isAvailable, !sealed.done.withLock({ $0 }) else { return }
        try await sealPlaintextSecrets()
        sealed.done.withLock { $0 = true }
    }

    /// Records the signing secret of a new endpoint, before its `webhook.created` event is appended.
    public func putSecret(_ secret: WebhookSecret, endpoint: UUID, account: UUID) async throws {
        let sealed = try seal(secret, endpoint: endpoint)
        try await sql.run(
            """
            INSERT INTO webhook_endpoints (endpoint_id, account_id, secret) VALUES (?, ?, ?)
            ON CONFLICT (endpoint_id) DO UPDATE SET secret = excluded.secret
            """, [.text(endpoint.lowercased), .text(account.lowercased), .text(sealed)])
    }

    /// Makes `secret` the current one; the current one keeps signing until `previousUntil`.
    public func rotateSecret(_ secret: WebhookSecret, endpoint: UUID, previousUntil: Date) async throws {
        try await sql.run(
            "UPDATE webhook_endpoints SET previous_secret = secret, previous_until = ?, secret = ? WHERE endpoint_id = ?",
            [.int(previousUntil.millis), .text(try seal(secret, endpoint: endpoint)), .text(endpoint.lowercased)])
    }

    /// The secrets that sign a message to `endpoint` at `now`: the current one, and the previous
    /// one while a rotation's overlap lasts.
    func secrets(of row: SQLRow, now: Date) -> [WebhookSecret] {
        guard let box, let endpoint = row["endpoint_id"]?.text.flatMap(UUID.init(uuidString:)) else { return [] }
        var secrets: [WebhookSecret] = []
        if let text = row["secret"]?.text, let s = box.open(text, endpoint: endpoint) { secrets.append(s) }
        if let text = row["previous_secret"]?.text, let until = row["previous_until"]?.int, until > now.millis,
           let s = box.open(text, endpoint: endpoint) { secrets.append(s) }
        return secrets
    }

    /// Writes an endpoint's URL, patterns and state as its account stream now says (the consumer does).
    func apply(_ endpoint: WebhookEndpoint, account: UUID) async throws {
        try await sql.run(
            """
            INSERT INTO webhook_endpoints (endpoint_id, account_id, url, event_types, enabled, deleted) VALUES (?, ?, ?, ?, ?, ?)
            ON CONFLICT (endpoint_id) DO UPDATE SET url = excluded.url, event_types = excluded.event_types,
                enabled = excluded.enabled, deleted = excluded.deleted
            """,
            [.text(endpoint.id.lowercased), .text(account.lowercased), .text(endpoint.url),
             .text(String(decoding: CanonicalJSON.bytes(.array(endpoint.eventTypes.map(JSONValue.string))), as: UTF8.self)),
             .int(endpoint.enabled ? 1 : 0), .int(endpoint.deleted ? 1 : 0)])
        if endpoint.enabled {
            // Enabled again by a person: the breaker starts afresh.
            try await sql.run(
                "UPDATE webhook_endpoints SET consecutive_failures = 0, failing_since = NULL, paused_until = NULL WHERE endpoint_id = ? AND enabled = 1",
                [.text(endpoint.id.lowercased)])
        }
    }

    /// The enabled endpoints of `account` with their patterns.
    func activeEndpoints(account: UUID) async throws -> [(id: UUID, patterns: [String])] {
        try await sql.run(
            "SELECT endpoint_id, event_types FROM webhook_endpoints WHERE account_id = ? AND enabled = 1 AND deleted = 0 AND url IS NOT NULL",
            [.text(account.lowercased)], write: false
        ).compactMap { row in
            guard let id = row["endpoint_id"]?.text.flatMap(UUID.init(uuidString:)) else { return nil }
            let patterns = (try? JSONDecoder().decode([String].self, from: Data((row["event_types"]?.text ?? "[]").utf8))) ?? []
            return (id, patterns)
        }
    }

    /// One endpoint's row (delivery state and secrets), if it exists.
    func endpointRow(_ endpoint: UUID) async throws -> SQLRow? {
        try await sql.run("SELECT * FROM webhook_endpoints WHERE endpoint_id = ?", [.text(endpoint.lowercased)], write: false).first
    }
}

extension Date {
    /// Unix milliseconds.
    var millis: Int64 { Int64((timeIntervalSince1970 * 1000).rounded()) }
    /// The date of unix milliseconds.
    init(millis: Int64) { self.init(timeIntervalSince1970: Double(millis) / 1000) }
}

/// Whether a ``WebhookStore`` sealed the plaintext secrets of earlier versions already.
final class Sealed: Sendable {
    let done = Mutex<Bool>(false)
}
