import ApexStore

/// The analytics feature's tables, created idempotently in the store's database. Days are UTC
/// days counted from 1970-01-01 (``ApexDomain/CivilDate/daysSinceEpoch``); times are unix milliseconds.
///
/// - `analytics_checkpoint`: the last log position each analytics consumer applied, written in
///   the same transaction as the page's changes (so a repeated page changes nothing).
/// - `analytics_counts`: one counter per (account, day, metric) (``UsageMetric``).
/// - `analytics_active`: one row per (account, day, user) who did something that day.
/// - `analytics_approvals`: one row per project approval (its log position) with the seconds
///   since the project was last submitted: what the median and p90 are computed from.
/// - `analytics_submitted`: when each project was last submitted.
/// - `analytics_files`: the bytes each file's revisions hold, removed from storage when it is deleted.
enum AnalyticsSchema {
    static let statements: [String] = [
        "CREATE TABLE IF NOT EXISTS analytics_checkpoint (name TEXT PRIMARY KEY, position BIGINT NOT NULL)",
        """
        CREATE TABLE IF NOT EXISTS analytics_counts (
            account_id TEXT NOT NULL, day BIGINT NOT NULL, metric TEXT NOT NULL, value BIGINT NOT NULL,
            PRIMARY KEY (account_id, day, metric)
        )
        """,
        """
        CREATE TABLE IF NOT EXISTS analytics_active (
            account_id TEXT NOT NULL, day BIGINT NOT NULL, user_id TEXT NOT NULL,
            PRIMARY KEY (account_id, day, user_id)
        )
        """,
        """
        CREATE TABLE IF NOT EXISTS analytics_approvals (
            position BIGINT PRIMARY KEY, account_id TEXT NOT NULL, day BIGINT NOT NULL, project_id TEXT NOT NULL, seconds BIGINT NOT NULL
        )
        """,
        "CREATE INDEX IF NOT EXISTS analytics_approvals_day ON analytics_approvals (account_id, day)",
        "CREATE TABLE IF NOT EXISTS analytics_submitted (project_id TEXT PRIMARY KEY, submitted_at BIGINT NOT NULL)",
        "CREATE TABLE IF NOT EXISTS analytics_files (file_id TEXT PRIMARY KEY, bytes BIGINT NOT NULL)",
    ]

    /// The usage consumer's tables, emptied before a replay.
    static let usageTables = ["analytics_counts", "analytics_active", "analytics_approvals", "analytics_submitted", "analytics_files"]
}
