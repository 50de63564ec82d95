import ApexDomain
import ApexStore
public import Foundation

/// A message to one endpoint: one event (or a test), signed and posted until it succeeds or
/// its retries run out. Its ``id`` is the `webhook-id` of every attempt.
public struct WebhookMessage: Sendable, Hashable {
    /// `webhook-id`: `<event id>_<endpoint id>` (`test-<uuid>_<endpoint id>` for a test message).
    public var id: String
    /// The endpoint.
    public var endpointID: UUID
    /// The account.
    public var accountID: UUID
    /// The event's position in the log (0 for a test message).
    public var position: Int64
    /// The event type.
    public var eventType: String
    /// The body as signed: `{type, timestamp, data}`.
    public var body: String
    /// `pending`, `succeeded` or `failed`.
    public var status: String
    /// Attempts made.
    public var attempts: Int
    /// When the next attempt is due (nil once it succeeded or failed for good).
    public var nextAttemptAt: Date?

    /// The message key of `event` for `endpoint`.
    public static func id(event: UUID, endpoint: UUID) -> String { "\(event.lowercased)_\(endpoint.lowercased)" }

    init?(row: SQLRow) {
        guard let id = row["message_id"]?.text, let endpoint = row["endpoint_id"]?.text.flatMap(UUID.init(uuidString:)),
              let account = row["account_id"]?.text.flatMap(UUID.init(uuidString:)) else { return nil }
        self.id = id
        self.endpointID = endpoint
        self.accountID = account
        self.position = row["position"]?.int ?? 0
        self.eventType = row["event_type"]?.text ?? ""
        self.body = row["body"]?.text ?? ""
        self.status = row["status"]?.text ?? "pending"
        self.attempts = Int(row["attempts"]?.int ?? 0)
        self.nextAttemptAt = row["next_attempt_at"]?.int.map(Date.init(millis:))
    }

    init(id: String, endpointID: UUID, accountID: UUID, position: Int64, eventType: String, body: String) {
        self.id = id
        self.endpointID = endpointID
        self.accountID = accountID
        self.position = position
        self.eventType = eventType
        self.body = body
        self.status = "pending"
        self.attempts = 0
    }
}

extension WebhookStore {
    /// Adds messages due at `now`; a message whose key exists already is left as it is (a
    /// repeated page of the log), unless `resend`, which makes it pending and due again.
    func enqueue(_ messages: [WebhookMessage], now: Date, resend: Bool = false) async throws {
        let conflict = resend ? "DO UPDATE SET status = 'pending', next_attempt_at = excluded.next_attempt_at" : "DO NOTHING"
        for m in messages {
            try await sql.run(
                """
                INSERT INTO webhook_messages (message_id, endpoint_id, account_id, position, event_type, body, status, attempts, created_at, next_attempt_at)
                VALUES (?, ?, ?, ?, ?, ?, 'pending', 0, ?, ?) ON CONFLICT (message_id) \(conflict)
                """,
                [.text(m.id), .text(m.endpointID.lowercased), .text(m.accountID.lowercased), .int(m.position), .text(m.eventType),
                 .text(m.body), .int(now.millis), .int(now.millis)])
        }
    }

    /// Makes a message of `endpoint` due now (one more attempt); false when there is no such message.
    public func redeliver(_ messageID: String, endpoint: UUID, now: Date) async throws -> Bool {
        !(try await sql.run(
            "UPDATE webhook_messages SET status = 'pending', next_attempt_at = ? WHERE message_id = ? AND endpoint_id = ? RETURNING message_id",
            [.int(now.millis), .text(messageID), .text(endpoint.lowercased)])).isEmpty
    }

    /// Claims up to `limit` endpoints with due messages, unclaimed (or whose claim lapsed) and
    /// not paused by their breaker, for `owner` until `until`. On PostgreSQL the rows are
    /// locked with `FOR UPDATE SKIP LOCKED`, so two instances never claim one endpoint.
    func claimEndpoints(owner: String, now: Date, until: Date, limit: Int, excluding: Set<UUID>) async throws -> [UUID] {
        let rows = try await sql.run(
            """
            UPDATE webhook_endpoints SET lease_owner = ?, lease_until = ? WHERE endpoint_id IN (
                SELECT e.endpoint_id FROM webhook_endpoints e
                WHERE e.enabled = 1 AND e.deleted = 0 AND e.url IS NOT NULL
                  AND (e.lease_until IS NULL OR e.lease_until < ?) AND (e.paused_until IS NULL OR e.paused_until <= ?)
                  AND EXISTS (SELECT 1 FROM webhook_messages m WHERE m.endpoint_id = e.endpoint_id AND m.status = 'pending' AND m.next_attempt_at <= ?)
                LIMIT ? {skip_locked}
            ) RETURNING endpoint_id
            """,
            [.text(owner), .int(until.millis), .int(now.millis), .int(now.millis), .int(now.millis), .int(Int64(limit + excluding.count))])
        return rows.compactMap { $0["endpoint_id"]?.text.flatMap(UUID.init(uuidString:)) }.filter { !excluding.contains($0) }
    }

    /// Extends `owner`'s claim on `endpoint`; false when it lost it.
    func renewClaim(_ endpoint: UUID, owner: String, until: Date) async throws -> Bool {
        !(try await sql.run(
            "UPDATE webhook_endpoints SET lease_until = ? WHERE endpoint_id = ? AND lease_owner = ? RETURNING endpoint_id",
            [.int(until.millis), .text(endpoint.lowercased), .text(owner)])).isEmpty
    }

    /// Gives up `owner`'s claim on `endpoint`.
    func releaseClaim(_ endpoint: UUID, owner: String) async throws {
        try await sql.run(
            "UPDATE webhook_endpoints SET lease_owner = NULL, lease_until = NULL WHERE endpoint_id = ? AND lease_owner = ?",
            [.text(endpoint.lowercased), .text(owner)])
    }

    /// The due messages of `endpoint`, in position order.
    func dueMessages(_ endpoint: UUID, now: Date, limit: Int) async throws -> [WebhookMessage] {
        try await sql.run(
            """
            SELECT * FROM webhook_messages WHERE endpoint_id = ? AND status = 'pending' AND next_attempt_at <= ?
            ORDER BY position, created_at LIMIT ?
            """, [.text(endpoint.lowercased), .int(now.millis), .int(Int64(limit))], write: false
        ).compactMap(WebhookMessage.init(row:))
    }

    /// Records one attempt of `message` and what follows it: `next` due time (nil: no more
    /// attempts) and whether it succeeded.
    func record(_ attempt: WebhookAttempt, of message: WebhookMessage, succeeded: Bool, next: Date?) async throws {
        try await sql.run(
            """
            INSERT INTO webhook_attempts (message_id, attempt, attempted_at, status_code, duration_ms, response, error)
            VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (message_id, attempt) DO NOTHING
            """,
            [.text(message.id), .int(Int64(message.attempts + 1)), .int(attempt.at.millis), attempt.statusCode.map { .int(Int64($0)) } ?? .null,
             .int(attempt.durationMilliseconds), attempt.response.map(SQLValue.text) ?? .null, attempt.error.map(SQLValue.text) ?? .null])
        let status = succeeded ? "succeeded" : (next == nil ? "failed" : "pending")
        try await sql.run(
            "UPDATE webhook_messages SET attempts = attempts + 1, status = ?, next_attempt_at = ? WHERE message_id = ?",
            [.text(status), next.map { .int($0.millis) } ?? .null, .text(message.id)])
    }
}
