import GRDB

/// The SQLite schema, as GRDB migrations. The log tables reject UPDATE and DELETE by trigger.
enum SQLiteSchema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-event-log") { db in
            try db.execute(
                sql: """
                    CREATE TABLE events (
                        position INTEGER PRIMARY KEY,
                        stream_id TEXT NOT NULL,
                        version INTEGER NOT NULL,
                        id TEXT NOT NULL UNIQUE,
                        type TEXT NOT NULL,
                        schema_version INTEGER NOT NULL,
                        data TEXT NOT NULL,
                        account_id TEXT NOT NULL,
                        actor TEXT NOT NULL,
                        request_metadata TEXT NOT NULL,
                        reason TEXT,
                        recorded_at TEXT NOT NULL,
                        prev_hash TEXT NOT NULL,
                        hash TEXT NOT NULL,
                        UNIQUE (stream_id, version)
                    );
                    CREATE INDEX events_by_account ON events (account_id, position);
                    CREATE TRIGGER events_reject_update BEFORE UPDATE ON events
                        BEGIN SELECT RAISE(ABORT, 'apex: events are append-only'); END;
                    CREATE TRIGGER events_reject_delete BEFORE DELETE ON events
                        BEGIN SELECT RAISE(ABORT, 'apex: events are append-only'); END;
                    CREATE TABLE streams (
                        stream_id TEXT PRIMARY KEY,
                        version INTEGER NOT NULL,
                        hash TEXT NOT NULL
                    ) WITHOUT ROWID;
                    CREATE TABLE checkpoints (
                        position INTEGER PRIMARY KEY,
                        digest TEXT NOT NULL,
                        created_at TEXT NOT NULL,
                        public_key TEXT NOT NULL,
                        signature TEXT NOT NULL
                    );
                    CREATE TRIGGER checkpoints_reject_update BEFORE UPDATE ON checkpoints
                        BEGIN SELECT RAISE(ABORT, 'apex: checkpoints are append-only'); END;
                    CREATE TRIGGER checkpoints_reject_delete BEFORE DELETE ON checkpoints
                        BEGIN SELECT RAISE(ABORT, 'apex: checkpoints are append-only'); END;
                    CREATE TABLE data_keys (
                        subject TEXT PRIMARY KEY,
                        key BLOB NOT NULL,
                        created_at TEXT NOT NULL
                    ) WITHOUT ROWID;
                    CREATE TABLE read_models (
                        projection TEXT NOT NULL,
                        partition TEXT NOT NULL,
                        key TEXT NOT NULL,
                        document TEXT NOT NULL,
                        PRIMARY KEY (projection, partition, key)
                    ) WITHOUT ROWID;
                    """)
        }
        migrator.registerMigration("v2-projection-positions") { db in
            // How far each projection has folded the log: read models catch up from here, so a
            // writer that does not maintain a projection never leaves it silently stale.
            try db.execute(sql: "CREATE TABLE projection_positions (projection TEXT PRIMARY KEY, position INTEGER NOT NULL) WITHOUT ROWID")
        }
        migrator.registerMigration("v3-merkle-checkpoints") { db in
            // Checkpoints sealed from now on are version 2 (a Merkle tree head in `digest`) and
            // keep the tree's right edge (hex, comma-separated) for the next one to continue from;
            // the rows before stay version 1 (a running digest). A version 2 checkpoint may seal
            // the position a version 1 one did, so the key is (position, version). SQLite cannot
            // change a key in place: the table is copied (DROP TABLE fires no trigger).
            try db.execute(
                sql: """
                    CREATE TABLE checkpoints_v3 (
                        position INTEGER NOT NULL,
                        version INTEGER NOT NULL DEFAULT 1,
                        digest TEXT NOT NULL,
                        created_at TEXT NOT NULL,
                        public_key TEXT NOT NULL,
                        signature TEXT NOT NULL,
                        frontier TEXT NOT NULL DEFAULT '',
                        PRIMARY KEY (position, version)
                    ) WITHOUT ROWID;
                    INSERT INTO checkpoints_v3 (position, digest, created_at, public_key, signature)
                        SELECT position, digest, created_at, public_key, signature FROM checkpoints;
                    DROP TABLE checkpoints;
                    ALTER TABLE checkpoints_v3 RENAME TO checkpoints;
                    CREATE TRIGGER checkpoints_reject_update BEFORE UPDATE ON checkpoints
                        BEGIN SELECT RAISE(ABORT, 'apex: checkpoints are append-only'); END;
                    CREATE TRIGGER checkpoints_reject_delete BEFORE DELETE ON checkpoints
                        BEGIN SELECT RAISE(ABORT, 'apex: checkpoints are append-only'); END;
                    """)
        }
        migrator.registerMigration("v4-snapshots") { db in
            // Project states a cold process starts from: a cache beside the log, one per stream,
            // replaced freely (no append-only trigger); `verify` compares them with the replay.
            try db.execute(
                sql: """
                    CREATE TABLE snapshots (
                        stream_id TEXT PRIMARY KEY,
                        version INTEGER NOT NULL,
                        domain_version INTEGER NOT NULL,
                        engine_version TEXT NOT NULL,
                        state TEXT NOT NULL,
                        state_hash TEXT NOT NULL,
                        created_at TEXT NOT NULL
                    ) WITHOUT ROWID
                    """)
        }
        migrator.registerMigration("v5-consumer-positions") { db in
            // How far each checkpointed consumer of the log (webhooks, email, search…) has got:
            // saved after its work, compared-and-set, reset to 0 to rebuild. Not part of the log.
            try db.execute(
                sql: """
                    CREATE TABLE consumer_positions (
                        name TEXT PRIMARY KEY,
                        position INTEGER NOT NULL,
                        updated_at TEXT NOT NULL,
                        last_error TEXT,
                        last_error_at TEXT
                    ) WITHOUT ROWID
                    """)
        }
        return migrator
    }
}
