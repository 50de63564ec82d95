import Logging
import PostgresNIO

/// The PostgreSQL schema and its migrations, applied under an advisory lock so that several
/// server processes starting at once migrate exactly once.
enum PostgresSchema {
    /// The newest schema version this build knows.
    static let version = 7

    static let migrations: [Int: [PostgresQuery]] = [
        1: [
            """
            CREATE TABLE events (
                position bigint PRIMARY KEY,
                stream_id text NOT NULL,
                version bigint NOT NULL,
                id uuid NOT NULL UNIQUE,
                type text NOT NULL,
                schema_version int NOT NULL,
                data json NOT NULL,
                account_id uuid NOT NULL,
                actor json NOT NULL,
                request_metadata json NOT NULL,
                reason text,
                recorded_at timestamptz NOT NULL,
                prev_hash text NOT NULL,
                hash text NOT NULL,
                UNIQUE (stream_id, version)
            )
            """,
            "CREATE INDEX events_by_account ON events (account_id, position)",
            """
            CREATE FUNCTION apex_reject_change() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN RAISE EXCEPTION 'apex: % are append-only', TG_TABLE_NAME; END $$
            """,
            "CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON events FOR EACH ROW EXECUTE FUNCTION apex_reject_change()",
            "CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON events FOR EACH STATEMENT EXECUTE FUNCTION apex_reject_change()",
            "CREATE TABLE streams (stream_id text PRIMARY KEY, version bigint NOT NULL, hash text NOT NULL)",
            "CREATE TABLE store_head (id int PRIMARY KEY CHECK (id = 1), position bigint NOT NULL)",
            "INSERT INTO store_head (id, position) VALUES (1, 0)",
            """
            CREATE TABLE checkpoints (
                position bigint PRIMARY KEY, digest text NOT NULL, created_at text NOT NULL,
                public_key text NOT NULL, signature text NOT NULL)
            """,
            "CREATE TRIGGER checkpoints_append_only BEFORE UPDATE OR DELETE ON checkpoints FOR EACH ROW EXECUTE FUNCTION apex_reject_change()",
            "CREATE TRIGGER checkpoints_no_truncate BEFORE TRUNCATE ON checkpoints FOR EACH STATEMENT EXECUTE FUNCTION apex_reject_change()",
            "CREATE TABLE data_keys (subject text PRIMARY KEY, key bytea NOT NULL, created_at timestamptz NOT NULL DEFAULT now())",
            """
            CREATE TABLE read_models (
                projection text NOT NULL, partition text NOT NULL, key text NOT NULL, document text NOT NULL,
                PRIMARY KEY (projection, partition, key))
            """,
        ],
        2: [
            // How far each projection has folded the log; read models catch up from here.
            "CREATE TABLE projection_positions (projection text PRIMARY KEY, position bigint NOT NULL)"
        ],
        3: [
            // The last event's time beside its position, on the locked row: an append that waited
            // for the lock reads it as committed, where the last event row is still invisible to it.
            "ALTER TABLE store_head ADD COLUMN recorded_at timestamptz",
            "UPDATE store_head SET recorded_at = (SELECT e.recorded_at FROM events e WHERE e.position = store_head.position) WHERE id = 1",
        ],
        4: [
            // A reason with a NUL in it, as its UTF-8 bytes: `text` cannot hold a NUL, and the
            // store keeps every text exactly as it was hashed. Such a row has `reason` NULL;
            // every other row (all rows written before) keeps its reason in `reason` and NULL here.
            "ALTER TABLE events ADD COLUMN reason_bytes bytea"
        ],
        5: [
            // Checkpoints sealed from now on are version 2 (a Merkle tree head in `digest`) and
            // keep the tree's right edge (hex, comma-separated) for the next one to continue from;
            // the rows before stay version 1 (a running digest). A version 2 checkpoint may seal
            // the position a version 1 one did, so the key is (position, version).
            "ALTER TABLE checkpoints ADD COLUMN version int NOT NULL DEFAULT 1",
            "ALTER TABLE checkpoints ADD COLUMN frontier text NOT NULL DEFAULT ''",
            "ALTER TABLE checkpoints DROP CONSTRAINT checkpoints_pkey",
            "ALTER TABLE checkpoints ADD PRIMARY KEY (position, version)",
        ],
        6: [
            // Project states a cold process starts from: a cache beside the log, one per stream,
            // replaced freely (no append-only trigger); `verify` compares them with the replay.
            """
            CREATE TABLE IF NOT EXISTS snapshots (
                stream_id text PRIMARY KEY, version bigint NOT NULL, domain_version int NOT NULL, engine_version text NOT NULL,
                state text NOT NULL, state_hash text NOT NULL, created_at timestamptz NOT NULL)
            """
        ],
        7: [
            // How far each checkpointed consumer of the log (webhooks, email, search…) has got:
            // saved after its work, compared-and-set, reset to 0 to rebuild. Not part of the log.
            """
            CREATE TABLE IF NOT EXISTS consumer_positions (
                name text PRIMARY KEY, position bigint NOT NULL, updated_at timestamptz NOT NULL DEFAULT now(),
                last_error text, last_error_at timestamptz)
            """
        ],
    ]

    /// Throws ``EventStoreError/Code/schemaTooNew`` for a schema newer than this build knows.
    private static func check(_ current: Int) throws {
        guard current <= version else {
            throw EventStoreError(.schemaTooNew, "the database has schema version \(current), newer than this Apex knows (\(version)); upgrade apex")
        }
    }

    /// Whether the database holds the schema: its version table is on the search path.
    static func exists(_ client: PostgresClient, logger: Logger) async throws -> Bool {
        for try await found in try await client.query("SELECT to_regclass('apex_schema') IS NOT NULL", logger: logger).decode(Bool.self) {
            return found
        }
        return false
    }

    /// Migrates the database, or throws ``EventStoreError/Code/schemaTooNew``. A database already
    /// at this version is only read: a hot standby is read-only and refuses even
    /// `CREATE TABLE IF NOT EXISTS`, and readers such as `apex-cli verify` run there.
    static func migrate(_ client: PostgresClient, logger: Logger) async throws {
        if try await exists(client, logger: logger) {
            for try await current in try await client.query("SELECT max(version) FROM apex_schema", logger: logger).decode(Int?.self) {
                if current == version { return }
                try check(current ?? 0)
            }
        }
        try await client.withTransaction(logger: logger) { conn in
            try await conn.query("SELECT pg_advisory_xact_lock(7347001)", logger: logger)
            try await conn.query("CREATE TABLE IF NOT EXISTS apex_schema (version int NOT NULL)", logger: logger)
            var current = 0
            for try await v in try await conn.query("SELECT max(version) FROM apex_schema", logger: logger).decode(Int?.self) {
                current = v ?? 0
            }
            try check(current)
            for v in (current + 1)..<(version + 1) {
                for statement in migrations[v] ?? [] { try await conn.query(statement, logger: logger) }
                try await conn.query("INSERT INTO apex_schema (version) VALUES (\(v))", logger: logger)
                logger.info("migrated the event store", metadata: ["store.schema_version": "\(v)"])
            }
        }
    }
}
