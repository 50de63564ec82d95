public import ApexDomain
import ApexStore
public import Foundation

/// One attempt to deliver a message: when, the answer's status, how long it took, the first
/// 4 KiB of the answer, the error (timeout, refused connection, refused address).
public struct WebhookAttempt: Sendable, Hashable {
    /// When it started.
    public var at: Date
    /// The HTTP status, if an answer came.
    public var statusCode: Int?
    /// How long it took.
    public var durationMilliseconds: Int64
    /// The first 4 KiB of the answer's body.
    public var response: String?
    /// What went wrong before an answer (or `redirect not followed`).
    public var error: String?

    /// The attempt as the delivery log shows it.
    public var json: JSONValue {
        [
            "at": .string(Timestamp.format(at)), "status_code": statusCode.map { .number(Double($0)) } ?? .null,
            "duration_ms": .number(Double(durationMilliseconds)), "response": response.map(JSONValue.string) ?? .null,
            "error": error.map(JSONValue.string) ?? .null,
        ]
    }
}

/// A page of an endpoint's delivery log.
public struct DeliveryPage: Sendable {
    /// The messages, newest first, each with its attempts.
    public var items: [(message: WebhookMessage, attempts: [WebhookAttempt])]
    /// The cursor of the next page, if there is one.
    public var next: String?
}

extension WebhookStore {
    /// The delivery log of `endpoint` (or of every endpoint of `account` when `endpoint` is
    /// nil): messages newest first, optionally only those with `status`, after `cursor`.
    public func deliveries(account: UUID, endpoint: UUID?, status: String?, cursor: String?, limit: Int) async throws -> DeliveryPage {
        var clauses = ["account_id = ?"]
        var binds: [SQLValue] = [.text(account.lowercased)]
        if let endpoint {
            clauses.append("endpoint_id = ?")
            binds.append(.text(endpoint.lowercased))
        }
        if let status {
            clauses.append("status = ?")
            binds.append(.text(status))
        }
        if let cursor, let bar = cursor.firstIndex(of: "|"), let created = Int64(cursor[..<bar]) {
            clauses.append("(created_at < ? OR (created_at = ? AND message_id < ?))")
            binds += [.int(created), .int(created), .text(String(cursor[cursor.index(after: bar)...]))]
        }
        binds.append(.int(Int64(limit + 1)))
        var rows = try await sql.run(
            "SELECT * FROM webhook_messages WHERE \(clauses.joined(separator: " AND ")) ORDER BY created_at DESC, message_id DESC LIMIT ?",
            binds, write: false)
        var next: String?
        if rows.count > limit {
            rows.removeLast()
            if let last = rows.last, let created = last["created_at"]?.int, let id = last["message_id"]?.text { next = "\(created)|\(id)" }
        }
        var items: [(WebhookMessage, [WebhookAttempt])] = []
        for row in rows {
            guard let message = WebhookMessage(row: row) else { continue }
            items.append((message, try await attempts(of: message.id)))
        }
        return DeliveryPage(items: items, next: next)
    }

    /// The attempts of a message, in order.
    public func attempts(of messageID: String) async throws -> [WebhookAttempt] {
        try await sql.run("SELECT * FROM webhook_attempts WHERE message_id = ? ORDER BY attempt", [.text(messageID)], write: false).map { row in
            WebhookAttempt(
                at: Date(millis: row["attempted_at"]?.int ?? 0), statusCode: row["status_code"]?.int.map { Int($0) },
                durationMilliseconds: row["duration_ms"]?.int ?? 0, response: row["response"]?.text, error: row["error"]?.text)
        }
    }
}

extension WebhookMessage {
    /// The message as the delivery log shows it, with its attempts.
    public func json(attempts: [WebhookAttempt]) -> JSONValue {
        [
            "id": .string(id), "webhook_id": .string(endpointID.lowercased), "event_type": .string(eventType),
            "position": .number(Double(position)), "status": .string(status), "attempt_count": .number(Double(self.attempts)),
            "next_attempt_at": nextAttemptAt.map { .string(Timestamp.format($0)) } ?? .null,
            "attempts": .array(attempts.map(\.json)),
        ]
    }
}
