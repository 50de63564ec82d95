import ApexDomain
public import ApexStore
public import Foundation
public import Logging

/// The mail feature's outbox in the store's database (``MailSchema``): what the consumer
/// queues, what the sender claims and records.
public struct MailOutbox: Sendable {
    let sql: FeatureSQL
    let schema = FeatureSchema(MailSchema.statements)

    /// The outbox of `store` (none for the in-memory store: ``isAvailable`` is false).
    public init(store: any EventStore, logger: Logger = Logger(label: "apex.mail")) {
        self.sql = FeatureSQL(database: store.featureDatabase, logger: logger)
    }

    /// Whether the store keeps feature tables.
    public var isAvailable: Bool { sql.isAvailable }

    /// Creates the table if missing (once per value; retried once, as instances may race).
    public func prepare() async throws { try await schema.create(on: sql) }

    /// A message to queue, with where it came from.
    struct Queued: Sendable {
        var message: MailMessage
        var accountID: UUID
        var position: Int64
        var eventType: String
        var template: String
        var recipientUser: UUID
        var locale: String
    }

    /// Queues `messages` due at `now`; a key queued already is left as it is.
    func enqueue(_ messages: [Queued], now: Date) async throws {
        for q in messages {
            let body = String(decoding: try JSONEncoder().encode(q.message), as: UTF8.self)
            try await sql.run(
                """
                INSERT INTO mail_outbox (message_key, account_id, position, event_type, template, recipient_user, recipient, locale,
                    message, status, attempts, created_at, updated_at, next_attempt_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'queued', 0, ?, ?, ?) ON CONFLICT (message_key) DO NOTHING
                """,
                [.text(q.message.key), .text(q.accountID.lowercased), .int(q.position), .text(q.eventType), .text(q.template),
                 .text(q.recipientUser.lowercased), .text(q.message.to), .text(q.locale), .text(body), .int(now.millis), .int(now.millis), .int(now.millis)])
        }
    }

    /// Claims up to `limit` due messages (queued or deferred, unclaimed or with a lapsed claim)
    /// for `owner` until `until`; on PostgreSQL with `FOR UPDATE SKIP LOCKED`, so two senders
    /// never claim one message.
    func claim(owner: String, now: Date, until: Date, limit: Int) async throws -> [(key: String, attempts: Int, message: MailMessage)] {
        let rows = try await sql.run(
            """
            UPDATE mail_outbox SET lease_owner = ?, lease_until = ? WHERE message_key IN (
                SELECT message_key FROM mail_outbox
                WHERE status IN ('queued', 'deferred') AND next_attempt_at <= ? AND (lease_until IS NULL OR lease_until < ?)
                ORDER BY position LIMIT ? {skip_locked}
            ) RETURNING message_key, attempts, message
            """,
            [.text(owner), .int(until.millis), .int(now.millis), .int(now.millis), .int(Int64(limit))])
        return rows.compactMap { row in
            guard let key = row["message_key"]?.text, let text = row["message"]?.text,
                  let message = try? JSONDecoder().decode(MailMessage.self, from: Data(text.utf8)) else { return nil }
            return (key, Int(row["attempts"]?.int ?? 0), message)
        }
    }

    /// Records one attempt of `key` by `owner`: its outcome and, when deferred, the next
    /// attempt's time (nil: retries ran out, so it is failed).
    func record(_ key: String, owner: String, outcome: SMTPOutcome, next: Date?, now: Date) async throws {
        let status: String
        switch outcome {
        case .sent: status = "sent"
        case .failed: status = "failed"
        case .deferred: status = next == nil ? "failed" : "deferred"
        }
        try await sql.run(
            """
            UPDATE mail_outbox SET status = ?, attempts = attempts + 1, reply = ?, updated_at = ?, next_attempt_at = ?,
                lease_owner = NULL, lease_until = NULL WHERE message_key = ? AND lease_owner = ?
            """,
            [.text(status), .text(String(outcome.detail.prefix(500))), .int(now.millis), next.map { .int($0.millis) } ?? .null, .text(key), .text(owner)])
    }

    /// A page of `account`'s deliveries, newest first, after `cursor` (a position and key).
    public func deliveries(account: UUID, limit: Int, before cursor: (position: Int64, key: String)?) async throws -> [MailDelivery] {
        guard isAvailable else { return [] }
        try await prepare()
        var sqlText = "SELECT * FROM mail_outbox WHERE account_id = ?"
        var binds: [FeatureSQLValue] = [.text(account.lowercased)]
        if let cursor {
            sqlText += " AND (position < ? OR (position = ? AND message_key < ?))"
            binds += [.int(cursor.position), .int(cursor.position), .text(cursor.key)]
        }
        sqlText += " ORDER BY position DESC, message_key DESC LIMIT ?"
        binds.append(.int(Int64(limit)))
        return try await sql.run(sqlText, binds, write: false).compactMap { row in
            guard let key = row["message_key"]?.text, let text = row["message"]?.text,
                  let message = try? JSONDecoder().decode(MailMessage.self, from: Data(text.utf8)) else { return nil }
            return MailDelivery(
                key: key, position: row["position"]?.int ?? 0, eventType: row["event_type"]?.text ?? "", template: row["template"]?.text ?? "",
                recipientUser: row["recipient_user"]?.text ?? "", recipient: row["recipient"]?.text ?? "", locale: row["locale"]?.text ?? "",
                subject: message.subject, status: row["status"]?.text ?? "", attempts: Int(row["attempts"]?.int ?? 0), reply: row["reply"]?.text,
                createdAt: Date(millis: row["created_at"]?.int ?? 0), updatedAt: Date(millis: row["updated_at"]?.int ?? 0),
                nextAttemptAt: row["next_attempt_at"]?.int.map(Date.init(millis:)), messageID: MIMEWriter.messageID(key: key, from: message.from))
        }
    }
}

extension Date {
    /// Unix milliseconds.
    var millis: Int64 { Int64((timeIntervalSince1970 * 1000).rounded()) }
    /// The date of unix milliseconds.
    init(millis: Int64) { self.init(timeIntervalSince1970: Double(millis) / 1000) }
}
