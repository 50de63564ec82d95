import ApexStore

/// The anomaly consumer's tables (beside ``AnalyticsSchema``'s `analytics_checkpoint`, which
/// holds its checkpoint under `anomalies`). Times are unix milliseconds.
///
/// - `anomaly_baselines`: per (account, user): requests seen with request metadata and how
///   many fell in each UTC hour (`hours`, 24 numbers as JSON).
/// - `anomaly_networks`: the address prefixes (IPv4 /24, IPv6 /48) each user's requests came from.
/// - `anomaly_agents`: the `User-Agent`s each user's requests came with, counted.
/// - `anomaly_recent`: the denials, deletions and license changes of the last
///   ``AnomalyThresholds/longestWindowSeconds`` of the log, by key (`user:<id>`, `address:<sha-256>`,
///   `deletions:<id>`, `license:<id>`): what the burst and license rules count.
/// - `anomaly_flags`: the `audit.anomaly_flagged` events, for listing them by time.
enum AnomalySchema {
    static let statements: [String] = [
        """
        CREATE TABLE IF NOT EXISTS anomaly_baselines (
            account_id TEXT NOT NULL, user_id TEXT NOT NULL, requests BIGINT NOT NULL, hours TEXT NOT NULL,
            PRIMARY KEY (account_id, user_id)
        )
        """,
        """
        CREATE TABLE IF NOT EXISTS anomaly_networks (
            account_id TEXT NOT NULL, user_id TEXT NOT NULL, prefix TEXT NOT NULL, PRIMARY KEY (account_id, user_id, prefix)
        )
        """,
        """
        CREATE TABLE IF NOT EXISTS anomaly_agents (
            account_id TEXT NOT NULL, user_id TEXT NOT NULL, agent TEXT NOT NULL, requests BIGINT NOT NULL,
            PRIMARY KEY (account_id, user_id, agent)
        )
        """,
        """
        CREATE TABLE IF NOT EXISTS anomaly_recent (
            account_id TEXT NOT NULL, key TEXT NOT NULL, position BIGINT NOT NULL, event_id TEXT NOT NULL,
            at_ms BIGINT NOT NULL, weight BIGINT NOT NULL, PRIMARY KEY (account_id, key, position)
        )
        """,
        "CREATE INDEX IF NOT EXISTS anomaly_recent_at ON anomaly_recent (at_ms)",
        """
        CREATE TABLE IF NOT EXISTS anomaly_flags (
            position BIGINT PRIMARY KEY, account_id TEXT NOT NULL, at_ms BIGINT NOT NULL, rule TEXT NOT NULL, data TEXT NOT NULL
        )
        """,
        "CREATE INDEX IF NOT EXISTS anomaly_flags_time ON anomaly_flags (account_id, at_ms, position)",
    ]

    /// The tables emptied before a replay.
    static let tables = ["anomaly_baselines", "anomaly_networks", "anomaly_agents", "anomaly_recent", "anomaly_flags"]
    /// The tables holding a user's baseline (dropped when the user is erased).
    static let baselineTables = ["anomaly_baselines", "anomaly_networks", "anomaly_agents"]
}
