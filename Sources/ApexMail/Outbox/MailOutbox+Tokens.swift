import ApexDomain
import ApexStore
public import Foundation

extension MailOutbox {
    /// Keeps an invitation's one-time token until the consumer puts it in the invitation's
    /// message (the log holds only its hash). Called by the API before it appends `user.invited`.
    public func rememberInvitationToken(_ token: String, invitation: UUID) async throws {
        guard isAvailable else { return }
        try await prepare()
        try await sql.run(
            "INSERT INTO mail_invitation_tokens (invitation_id, token, created_at) VALUES (?, ?, ?) ON CONFLICT (invitation_id) DO NOTHING",
            [.text(invitation.lowercased), .text(token), .int(Date().millis)])
    }

    /// The position after which events are mailed: recorded as `head` the first time (later
    /// calls keep the first value, so a rebuild mails nothing old either). The API records it
    /// before it serves a request, so nothing it appends is taken for history.
    public func startPosition(head: Int64) async throws -> Int64 {
        try await sql.run("INSERT INTO mail_state (name, value) VALUES ('start', ?) ON CONFLICT (name) DO NOTHING", [.int(head)])
        return try await sql.run("SELECT value FROM mail_state WHERE name = 'start'", write: false).first?["value"]?.int ?? head
    }

    /// The token kept for `invitation`, if any.
    func invitationToken(_ invitation: UUID) async throws -> String? {
        try await sql.run("SELECT token FROM mail_invitation_tokens WHERE invitation_id = ?", [.text(invitation.lowercased)], write: false).first?["token"]?.text
    }

    /// Deletes the tokens of `invitations` once their messages are queued (they live on only there).
    func forgetInvitationTokens(_ invitations: [UUID]) async throws {
        for id in invitations { try await sql.run("DELETE FROM mail_invitation_tokens WHERE invitation_id = ?", [.text(id.lowercased)]) }
    }
}
