import ApexStore

/// The mail feature's table, created idempotently in the store's database.
///
/// `mail_outbox`: one row per message, keyed by `<event id>:<recipient user id>:<template>` (so
/// a replayed page of the log queues nothing twice): the recipient, the rendered message, its
/// status (`queued`, `sent`, `deferred`, `failed`), attempts, the server's last reply or the
/// reason, when the next attempt is due, and the sender's claim (`lease_owner`, `lease_until`).
/// `mail_state`: `start`, the log's head when the consumer first ran: older events are not
/// mailed (a store that predates email does not mail its history).
/// `mail_invitation_tokens`: an invitation's one-time token from the API until the consumer
/// puts it in the invitation's message.
/// `mail_activity`: the digests' read model, kept by the consumer: one row per event of a
/// project stream after `start` (its position, account, project, type and time).
/// `mail_digest_state`: per user, the end of the period their last digest covered (sent or
/// empty), so the next one starts there.
/// Times are unix milliseconds.
enum MailSchema {
    static let statements: [String] = [
        """
        CREATE TABLE IF NOT EXISTS mail_outbox (
            message_key TEXT PRIMARY KEY,
            account_id TEXT NOT NULL,
            position BIGINT NOT NULL,
            event_type TEXT NOT NULL,
            template TEXT NOT NULL,
            recipient_user TEXT NOT NULL,
            recipient TEXT NOT NULL,
            locale TEXT NOT NULL,
            message TEXT NOT NULL,
            status TEXT NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0,
            reply TEXT,
            created_at BIGINT NOT NULL,
            updated_at BIGINT NOT NULL,
            next_attempt_at BIGINT,
            lease_owner TEXT,
            lease_until BIGINT
        )
        """,
        "CREATE INDEX IF NOT EXISTS mail_outbox_due ON mail_outbox (status, next_attempt_at)",
        "CREATE INDEX IF NOT EXISTS mail_outbox_account ON mail_outbox (account_id, position)",
        "CREATE TABLE IF NOT EXISTS mail_state (name TEXT PRIMARY KEY, value BIGINT NOT NULL)",
        """
        CREATE TABLE IF NOT EXISTS mail_invitation_tokens (
            invitation_id TEXT PRIMARY KEY,
            token TEXT NOT NULL,
            created_at BIGINT NOT NULL
        )
        """,
        """
        CREATE TABLE IF NOT EXISTS mail_activity (
            position BIGINT PRIMARY KEY,
            account_id TEXT NOT NULL,
            project_id TEXT NOT NULL,
            event_type TEXT NOT NULL,
            recorded_at BIGINT NOT NULL
        )
        """,
        "CREATE INDEX IF NOT EXISTS mail_activity_account ON mail_activity (account_id, recorded_at)",
        "CREATE INDEX IF NOT EXISTS mail_activity_time ON mail_activity (recorded_at)",
        "CREATE TABLE IF NOT EXISTS mail_digest_state (user_id TEXT PRIMARY KEY, covered_until BIGINT NOT NULL)",
    ]
}
