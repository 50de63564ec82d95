import ApexStore

/// The webhook feature's tables, created idempotently in the store's database.
///
/// - `webhook_endpoints`: one row per endpoint: its signing secrets (written by the API, never
///   in an event), its URL, patterns and state as the log says (written by ``WebhookConsumer``),
///   and the delivery state: the claim (`lease_owner`, `lease_until`) and the circuit breaker
///   (`consecutive_failures`, `failing_since`, `paused_until`).
/// - `webhook_messages`: one row per (event, endpoint): the `webhook-id`, the body as signed,
///   its status (`pending`, `succeeded`, `failed`), attempts so far and the next attempt's time.
/// - `webhook_attempts`: one row per attempt: time, status code, duration, the first 4 KiB of
///   the response, the error.
///
/// Times are unix milliseconds.
enum WebhookSchema {
    static let statements: [String] = [
        """
        CREATE TABLE IF NOT EXISTS webhook_endpoints (
            endpoint_id TEXT PRIMARY KEY,
            account_id TEXT NOT NULL,
            secret TEXT,
            previous_secret TEXT,
            previous_until BIGINT,
            url TEXT,
            event_types TEXT,
            enabled INTEGER NOT NULL DEFAULT 0,
            deleted INTEGER NOT NULL DEFAULT 0,
            lease_owner TEXT,
            lease_until BIGINT,
            consecutive_failures INTEGER NOT NULL DEFAULT 0,
            failing_since BIGINT,
            paused_until BIGINT
        )
        """,
        "CREATE INDEX IF NOT EXISTS webhook_endpoints_account ON webhook_endpoints (account_id)",
        """
        CREATE TABLE IF NOT EXISTS webhook_messages (
            message_id TEXT PRIMARY KEY,
            endpoint_id TEXT NOT NULL,
            account_id TEXT NOT NULL,
            position BIGINT NOT NULL,
            event_type TEXT NOT NULL,
            body TEXT NOT NULL,
            status TEXT NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0,
            created_at BIGINT NOT NULL,
            next_attempt_at BIGINT
        )
        """,
        "CREATE INDEX IF NOT EXISTS webhook_messages_due ON webhook_messages (status, next_attempt_at)",
        "CREATE INDEX IF NOT EXISTS webhook_messages_endpoint ON webhook_messages (endpoint_id, position)",
        """
        CREATE TABLE IF NOT EXISTS webhook_attempts (
            message_id TEXT NOT NULL,
            attempt INTEGER NOT NULL,
            attempted_at BIGINT NOT NULL,
            status_code INTEGER,
            duration_ms BIGINT NOT NULL,
            response TEXT,
            error TEXT,
            PRIMARY KEY (message_id, attempt)
        )
        """,
    ]
}
