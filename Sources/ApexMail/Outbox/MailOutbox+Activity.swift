import ApexDomain
import ApexStore
import Foundation

/// One event of a project stream as the digests' read model keeps it.
struct MailActivity: Sendable, Hashable {
    var position: Int64
    var projectID: UUID
    var eventType: String
    var recordedAt: Date
}

extension MailOutbox {
    /// Records the events of project streams among `events` in `mail_activity` (a position
    /// recorded already is left as it is, so a replayed page adds nothing).
    func recordActivity(_ events: [EventEnvelope]) async throws {
        for event in events {
            guard let project = event.stream.projectID else { continue }
            try await sql.run(
                """
                INSERT INTO mail_activity (position, account_id, project_id, event_type, recorded_at)
                VALUES (?, ?, ?, ?, ?) ON CONFLICT (position) DO NOTHING
                """,
                [.int(event.position), .text(event.accountID.lowercased), .text(project.lowercased), .text(event.type), .int(event.recordedAt.millis)])
        }
    }

    /// The accounts with activity recorded after `since`.
    func activeAccounts(since: Date) async throws -> [UUID] {
        try await sql.run("SELECT DISTINCT account_id FROM mail_activity WHERE recorded_at > ?", [.int(since.millis)], write: false)
            .compactMap { $0["account_id"]?.text.flatMap(UUID.init(text:)) }
    }

    /// The activity of `account` recorded after `start` and up to `end`, in log order.
    func activity(account: UUID, after start: Date, through end: Date) async throws -> [MailActivity] {
        try await sql.run(
            """
            SELECT position, project_id, event_type, recorded_at FROM mail_activity
            WHERE account_id = ? AND recorded_at > ? AND recorded_at <= ? ORDER BY position
            """,
            [.text(account.lowercased), .int(start.millis), .int(end.millis)], write: false
        ).compactMap { row in
            guard let position = row["position"]?.int, let project = row["project_id"]?.text.flatMap(UUID.init(text:)) else { return nil }
            return MailActivity(
                position: position, projectID: project, eventType: row["event_type"]?.text ?? "", recordedAt: Date(millis: row["recorded_at"]?.int ?? 0))
        }
    }

    /// Deletes the activity recorded before `date` (no digest reaches back that far).
    func pruneActivity(before date: Date) async throws {
        try await sql.run("DELETE FROM mail_activity WHERE recorded_at < ?", [.int(date.millis)])
    }

    /// The end of the period `user`'s last digest covered, if any.
    func digestCovered(user: UUID) async throws -> Date? {
        try await sql.run("SELECT covered_until FROM mail_digest_state WHERE user_id = ?", [.text(user.lowercased)], write: false)
            .first?["covered_until"]?.int.map(Date.init(millis:))
    }

    /// Records that `user`'s digests cover everything up to `until` (never moving it back).
    func setDigestCovered(user: UUID, until: Date) async throws {
        try await sql.run(
            """
            INSERT INTO mail_digest_state (user_id, covered_until) VALUES (?, ?)
            ON CONFLICT (user_id) DO UPDATE SET covered_until =
                CASE WHEN excluded.covered_until > mail_digest_state.covered_until THEN excluded.covered_until ELSE mail_digest_state.covered_until END
            """,
            [.text(user.lowercased), .int(until.millis)])
    }
}
