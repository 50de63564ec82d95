public import ApexDomain
package import Crypto
public import Foundation
import GRDB

/// The embedded event store: one SQLite file in WAL mode, through a GRDB `DatabasePool`.
///
/// Commits are durable (`synchronous = FULL`); deleted keys are overwritten (`secure_delete`);
/// writers in other processes wait up to ``Configuration/busyTimeout``. Open it with
/// ``EventStores/withStore(url:projections:clock:logger:_:)`` and `sqlite:PATH`, or directly:
///
/// ```swift
/// let store = try SQLiteEventStore(path: "./apex-data/apex.sqlite")
/// ```
public final class SQLiteEventStore: EventStore {
    /// Settings.
    public struct Configuration: Sendable {
        /// How long a writer waits for another process's write lock.
        public var busyTimeout: Duration = .seconds(10)
        /// Read models kept inline with every append.
        public var projections: [any Projection] = []
        /// Stamps `recorded_at`.
        public var clock: @Sendable () -> Date = { Date() }

        /// Defaults.
        public init() {}
    }

    let pool: DatabasePool
    private let configuration: Configuration
    private let signal = AppendSignal()
    private let appends: GroupCommit<AppendRequest, AppendResult>

    /// Opens (creating and migrating when needed) the database at `path`.
    ///
    /// Throws ``EventStoreError/Code/schemaTooNew`` for a file written by a newer Apex and
    /// ``EventStoreError/Code/unavailable`` for a file that cannot be opened.
    public init(path: String, configuration: Configuration = Configuration()) throws {
        self.configuration = configuration
        var config = GRDB.Configuration()
        config.busyMode = .timeout(TimeInterval(configuration.busyTimeout.components.seconds))
        config.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = FULL; PRAGMA secure_delete = ON;")
        }
        do {
            try PrivateFiles.prepareSQLiteFile(atPath: path)
            pool = try DatabasePool(path: path, configuration: config)
        } catch {
            throw EventStoreError(.unavailable, "cannot open the SQLite database at \(path)", underlying: error)
        }
        appends = GroupCommit { [pool] requests in try await Self.commit(requests, pool: pool, configuration: configuration) }
        let migrator = SQLiteSchema.migrator
        do {
            let superseded = try pool.read { db in try migrator.hasBeenSuperseded(db) }
            guard !superseded else {
                throw EventStoreError(.schemaTooNew, "the database at \(path) was created by a newer version of Apex; upgrade apex to open it")
            }
            try migrator.migrate(pool)
            try catchUpProjections()
        } catch let error as DatabaseError {
            throw EventStoreError(.unavailable, "cannot migrate the SQLite database at \(path): \(error.resultCode)", underlying: error)
        }
    }

    /// Appends atomically. Concurrent appends share `BEGIN IMMEDIATE` transactions (``GroupCommit``):
    /// one fsync for all of them, each checked on its own.
    public func append(_ events: [ProposedEvent], to stream: StreamID, expected: ExpectedVersion) async throws -> AppendResult {
        try AppendPlanner.validate(events, to: stream)
        let result = try await appends.submit(AppendRequest(events: events, stream: stream, expected: expected))
        if result.wasDuplicate {
            return AppendResult(stream: stream, events: try await opened(result.events), nextExpectedVersion: result.nextExpectedVersion, wasDuplicate: true)
        }
        signal.signal(head: result.lastPosition)
        return result
    }

    /// One transaction for several appends (see ``AppendPlanner/plan(_:after:recordedAt:heads:existing:keys:)``).
    private static func commit(
        _ requests: [AppendRequest], pool: DatabasePool, configuration: Configuration
    ) async throws -> [Result<AppendResult, any Error>] {
        let projections = configuration.projections
        let clock = configuration.clock
        return try await write(pool) { db in
            let last = try Int64.fetchOne(db.cachedStatement(sql: "SELECT max(position) FROM events")) ?? 0
            var heads: [StreamID: StreamHead] = [:]
            for stream in Set(requests.map(\.stream)) { heads[stream] = try Self.head(db, stream) }
            let existing = try Self.events(db, ids: requests.flatMap { $0.events.map(\.id) })
            let now = clock()
            let keys = try Self.keys(db, for: AppendPlanner.subjects(of: requests, recordedAt: now), create: true)
            let plan = AppendPlanner.plan(requests, after: last, recordedAt: now, heads: heads, existing: existing, keys: keys)
            for row in plan.rows { try Self.insert(db, row) }
            for (stream, head) in plan.heads {
                try db.cachedStatement(
                    sql: "INSERT INTO streams (stream_id, version, hash) VALUES (?, ?, ?) ON CONFLICT (stream_id) DO UPDATE SET version = excluded.version, hash = excluded.hash"
                ).execute(arguments: [stream.rawValue, head.version, head.hash])
            }
            if !plan.stored.isEmpty {
                for projection in projections { try Self.advance(db, projection, with: plan.stored, from: last) }
            }
            return plan.outcomes
        }
    }

    /// Events of a stream from a version.
    public func readStream(_ stream: StreamID, from version: Int64, limit: Int, mode: ReadMode) async throws -> [EventEnvelope] {
        try await page("stream_id = ? AND version >= ? ORDER BY version LIMIT ?", [stream.rawValue, version, Int64(clamping: limit)], mode: mode)
    }

    /// A page of the global log.
    public func readAll(after position: Int64, limit: Int, mode: ReadMode) async throws -> [EventEnvelope] {
        try await page("position > ? ORDER BY position LIMIT ?", [position, Int64(clamping: limit)], mode: mode)
    }

    /// A page of the global log as stored, undecoded.
    package func readRows(after position: Int64, limit: Int) async throws -> [EnvelopeColumns] {
        try await read { db in try Self.selectRows(db, "position > ? ORDER BY position LIMIT ?", [position, Int64(clamping: limit)]) }
    }

    /// A page of events' hashes.
    package func readHashes(after position: Int64, limit: Int) async throws -> [PositionedHash] {
        try await read { db in
            try Row.fetchAll(db, sql: "SELECT position, hash FROM events WHERE position > ? ORDER BY position LIMIT ?", arguments: [position, Int64(clamping: limit)])
                .map { PositionedHash(position: $0[0], hash: $0[1]) }
        }
    }

    /// A page of one account's events as stored, undecoded.
    package func readAccountRows(_ account: UUID, after position: Int64, limit: Int) async throws -> [EnvelopeColumns] {
        try await read { db in
            try Self.selectRows(db, "account_id = ? AND position > ? ORDER BY position LIMIT ?", [account.lowercased, position, Int64(clamping: limit)])
        }
    }

    /// A page of one account's events.
    public func readAccount(_ account: UUID, after position: Int64, limit: Int, mode: ReadMode) async throws -> [EventEnvelope] {
        try await page("account_id = ? AND position > ? ORDER BY position LIMIT ?", [account.lowercased, position, Int64(clamping: limit)], mode: mode)
    }

    /// The envelopes a `WHERE` clause selects.
    private func page(_ clause: String, _ arguments: StatementArguments, mode: ReadMode) async throws -> [EventEnvelope] {
        try await envelopes(try await read { db in try Self.selectRows(db, clause, arguments) }, mode: mode)
    }

    /// The stream's version.
    public func streamVersion(_ stream: StreamID) async throws -> Int64 {
        try await read { db in try Self.head(db, stream)?.version ?? 0 }
    }

    /// All stream heads.
    public func streamHeads() async throws -> [StreamID: StreamHead] {
        try await read { db in
            var heads: [StreamID: StreamHead] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT stream_id, version, hash FROM streams") {
                heads[StreamID(rawValue: row["stream_id"])] = StreamHead(version: row["version"], hash: row["hash"])
            }
            return heads
        }
    }

    /// The last position.
    public func headPosition() async throws -> Int64 {
        try await read { db in try Int64.fetchOne(db, sql: "SELECT max(position) FROM events") ?? 0 }
    }

    /// Waits for an append by this process; appends by other processes are seen within `timeout`.
    public func waitForAppend(after position: Int64, timeout: Duration) async throws {
        await signal.wait(after: position, timeout: timeout)
    }

    /// Adds a checkpoint row.
    public func insertCheckpoint(_ c: Checkpoint) async throws {
        try await write { db in
            try db.execute(
                sql: "INSERT INTO checkpoints (position, digest, created_at, public_key, signature, version, frontier) VALUES (?, ?, ?, ?, ?, ?, ?)",
                arguments: [c.position, c.digest, Timestamp.format(c.createdAt), c.publicKey, c.signature, c.version, c.frontierText])
        }
    }

    /// All checkpoints.
    public func checkpoints() async throws -> [Checkpoint] {
        try await read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM checkpoints ORDER BY position, version").map { row in
                Checkpoint(
                    stored: row["version"], position: row["position"], digest: row["digest"], createdAt: row["created_at"],
                    publicKey: row["public_key"], signature: row["signature"], frontier: row["frontier"])
            }
        }
    }

    /// Deletes keys (overwritten on disk), then checkpoints the WAL so no copy stays behind.
    public func deleteKeys(_ subjects: [String]) async throws -> Int {
        guard !subjects.isEmpty else { return 0 }
        let count = try await write { db in
            var n = 0
            for s in subjects {
                try db.execute(sql: "DELETE FROM data_keys WHERE subject = ?", arguments: [s])
                n += db.changesCount
            }
            return n
        }
        try await pool.writeWithoutTransaction { db in _ = try db.checkpoint(.truncate) }
        return count
    }

    /// Subjects with keys.
    public func keySubjects(prefix: String) async throws -> [String] {
        try await read { db in
            try String.fetchAll(db, sql: "SELECT subject FROM data_keys WHERE substr(subject, 1, ?) = ? ORDER BY subject", arguments: [prefix.count, prefix])
        }
    }

    /// Rebuilds a projection from the whole log, in one transaction.
    public func rebuildProjection(_ projection: any Projection) async throws {
        try await write { db in
            try db.execute(sql: "DELETE FROM projection_positions WHERE projection = ?", arguments: [projection.name])
            try Self.catchUp(db, projection)
        }
    }

    /// A projection's documents in a partition.
    public func projectionDocuments(_ projection: any Projection, partition: String) async throws -> [String: JSONValue] {
        try await catchUpIfBehind(projection)
        return try await read { db in
            var docs: [String: JSONValue] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT key, document FROM read_models WHERE projection = ? AND partition = ?", arguments: [projection.name, partition]) {
                docs[row["key"]] = try JSONValue.parse(row["document"] as String)
            }
            return docs
        }
    }

    /// Imports stored events in one transaction (see ``EventStore/importStored(_:)``).
    public func importStored(_ events: [EventEnvelope]) async throws {
        guard !events.isEmpty else { return }
        let projections = configuration.projections
        let last = try await write { db in
            let head = try Int64.fetchOne(db, sql: "SELECT max(position) FROM events") ?? 0
            let heads = try AppendPlanner.checkImport(events, head: head) { try Self.head(db, $0) }
            for event in events { try Self.insert(db, EnvelopeColumns(event)) }
            for (stream, h) in heads {
                try db.execute(
                    sql: "INSERT INTO streams (stream_id, version, hash) VALUES (?, ?, ?) ON CONFLICT (stream_id) DO UPDATE SET version = excluded.version, hash = excluded.hash",
                    arguments: [stream.rawValue, h.version, h.hash])
            }
            for projection in projections { try Self.advance(db, projection, with: events, from: head) }
            return events.last!.position
        }
        signal.signal(head: last)
    }

    /// Closes the pool.
    public func close() async throws { try pool.close() }

    // MARK: - Internals

    /// Brings every configured projection up to the head of the log.
    private func catchUpProjections() throws {
        for projection in configuration.projections {
            try pool.write { db in try Self.catchUp(db, projection) }
        }
    }

    /// How far `projection` has folded the log (nil: never, or its read model predates tracking).
    static func projectionPosition(_ db: Database, _ projection: any Projection) throws -> Int64? {
        try Int64.fetchOne(db.cachedStatement(sql: "SELECT position FROM projection_positions WHERE projection = ?"), arguments: [projection.name])
    }

    /// Folds the events after the projection's position, page by page, up to the head; a
    /// projection with no position is rebuilt from scratch.
    static func catchUp(_ db: Database, _ projection: any Projection) throws {
        var cursor = try projectionPosition(db, projection) ?? {
            try db.execute(sql: "DELETE FROM read_models WHERE projection = ?", arguments: [projection.name])
            return 0
        }()
        while true {
            let page = try select(db, "position > ? ORDER BY position LIMIT 1000", [cursor])
            guard let last = page.last else { break }
            try ProjectionApplier.apply(page, projections: [projection], load: { try document(db, $0, $1, $2) }, save: { try save(db, $0, $1, $2, $3) })
            cursor = last.position
        }
        try setProjectionPosition(db, projection, cursor)
    }

    /// Inline in an append: folds the new events when the projection was at `previousHead`,
    /// otherwise catches it up from wherever it was (the new events are already inserted).
    static func advance(_ db: Database, _ projection: any Projection, with events: [EventEnvelope], from previousHead: Int64) throws {
        guard try projectionPosition(db, projection) == previousHead, let last = events.last else { return try catchUp(db, projection) }
        try ProjectionApplier.apply(events, projections: [projection], load: { try document(db, $0, $1, $2) }, save: { try save(db, $0, $1, $2, $3) })
        try setProjectionPosition(db, projection, last.position)
    }

    static func setProjectionPosition(_ db: Database, _ projection: any Projection, _ position: Int64) throws {
        try db.cachedStatement(
            sql: "INSERT INTO projection_positions (projection, position) VALUES (?, ?) ON CONFLICT (projection) DO UPDATE SET position = excluded.position"
        ).execute(arguments: [projection.name, position])
    }

    func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await Self.write(pool, body)
    }

    private static func write<T: Sendable>(_ pool: DatabasePool, _ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do {
            return try await pool.writeWithoutTransaction { db in
                var result: T?
                try db.inTransaction(.immediate) {
                    result = try body(db)
                    return .commit
                }
                return result!
            }
        } catch let error as EventStoreError {
            throw error
        } catch let error as DatabaseError where error.message?.contains("append-only") == true {
            throw EventStoreError(.appendOnly, "recorded events cannot be changed", underlying: error)
        } catch let error as DatabaseError where error.resultCode == .SQLITE_CONSTRAINT {
            throw EventStoreError(.duplicateEventID, "an event id or stream version exists already", underlying: error)
        } catch let error as DatabaseError {
            throw EventStoreError(.unavailable, "the SQLite database failed: \(error.resultCode)", underlying: error)
        }
    }

    func read<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do { return try await pool.read(body) } catch let error as EventStoreError { throw error } catch let error as DatabaseError {
            throw EventStoreError(.unavailable, "the SQLite database failed: \(error.resultCode)", underlying: error)
        }
    }

    /// The keys these subjects have (none are created).
    package func existingKeys(_ subjects: Set<String>) async throws -> [String: SymmetricKey] {
        try await read { db in try Self.keys(db, for: subjects, create: false) }
    }

    static func head(_ db: Database, _ stream: StreamID) throws -> StreamHead? {
        try Row.fetchOne(db.cachedStatement(sql: "SELECT version, hash FROM streams WHERE stream_id = ?"), arguments: [stream.rawValue]).map {
            StreamHead(version: $0["version"], hash: $0["hash"])
        }
    }

    /// The stored events with these ids, a statement per id (a primary-key lookup each).
    private static func events(_ db: Database, ids: [UUID]) throws -> [EventEnvelope] {
        var found: [EventEnvelope] = []
        for id in ids { found += try select(db, "id = ?", [id.lowercased]) }
        return found.sorted { $0.position < $1.position }
    }

    private static func keys(_ db: Database, for subjects: Set<String>, create: Bool) throws -> [String: SymmetricKey] {
        var keys: [String: SymmetricKey] = [:]
        for subject in subjects {
            if let data = try Data.fetchOne(db.cachedStatement(sql: "SELECT key FROM data_keys WHERE subject = ?"), arguments: [subject]) {
                keys[subject] = SymmetricKey(data: data)
            } else if create {
                let key = Sealer.newKey()
                try db.execute(
                    sql: "INSERT INTO data_keys (subject, key, created_at) VALUES (?, ?, ?)",
                    arguments: [subject, key.withUnsafeBytes { Data($0) }, Timestamp.format(Date())])
                keys[subject] = key
            }
        }
        return keys
    }

    /// Inserts a row, every text exactly as hashed. GRDB binds a `String` as a C string, which
    /// SQLite would end at the first NUL, so a text with a NUL is bound with its length, as a
    /// blob, and cast back to TEXT (the cast keeps every byte). Any other text binds as it
    /// always did (an empty blob would bind as NULL).
    static func insert(_ db: Database, _ c: EnvelopeColumns) throws {
        func exact(_ text: String) -> any DatabaseValueConvertible { text.utf8.contains(0) ? Data(text.utf8) : text }
        try db.cachedStatement(
            sql: """
                INSERT INTO events (position, stream_id, version, id, type, schema_version, data, account_id, actor,
                    request_metadata, reason, recorded_at, prev_hash, hash) VALUES (?, CAST(? AS TEXT), ?, CAST(? AS TEXT),
                    CAST(? AS TEXT), ?, CAST(? AS TEXT), CAST(? AS TEXT), CAST(? AS TEXT), CAST(? AS TEXT), CAST(? AS TEXT),
                    CAST(? AS TEXT), CAST(? AS TEXT), CAST(? AS TEXT))
                """
        ).execute(
            arguments: [
                c.position, exact(c.stream), c.version, exact(c.id), exact(c.type), c.schemaVersion, exact(c.data), exact(c.accountID),
                exact(c.actor), exact(c.requestMetadata), c.reason.map(exact), exact(c.recordedAt), exact(c.prevHash), exact(c.hash),
            ])
    }

    /// The events a `WHERE` clause selects, read column by column from a cached statement
    /// (no row copies, no lookups by column name).
    static func select(_ db: Database, _ clause: String, _ arguments: StatementArguments) throws -> [EventEnvelope] {
        try selectRows(db, clause, arguments).map { try $0.envelope() }
    }

    /// The rows a `WHERE` clause selects, as stored.
    static func selectRows(_ db: Database, _ clause: String, _ arguments: StatementArguments) throws -> [EnvelopeColumns] {
        let rows = try Row.fetchCursor(
            db.cachedStatement(
                sql: """
                    SELECT position, stream_id, version, id, type, schema_version, data, account_id, actor,
                        request_metadata, reason, recorded_at, prev_hash, hash FROM events WHERE \(clause)
                    """), arguments: arguments)
        var result: [EnvelopeColumns] = []
        while let row = try rows.next() {
            result.append(EnvelopeColumns(
                position: row[0], stream: try text(row, 1), version: row[2], id: try text(row, 3), type: try text(row, 4),
                schemaVersion: row[5], data: try text(row, 6), accountID: try text(row, 7), actor: try text(row, 8),
                requestMetadata: try text(row, 9), reason: try optionalText(row, 10), recordedAt: try text(row, 11),
                prevHash: try text(row, 12), hash: try text(row, 13)))
        }
        return result
    }

    /// A text column read with its length, NULs included (reading it as a `String` would end
    /// it at the first NUL), without copying it twice.
    static func optionalText(_ row: Row, _ index: Int) throws -> String? {
        try row.withUnsafeData(atIndex: index) { data in data.map { String(decoding: $0, as: UTF8.self) } }
    }

    /// ``optionalText(_:_:)`` of a `NOT NULL` column.
    static func text(_ row: Row, _ index: Int) throws -> String { try optionalText(row, index) ?? "" }

    static func document(_ db: Database, _ projection: String, _ partition: String, _ key: String) throws -> JSONValue? {
        guard let text = try String.fetchOne(
            db.cachedStatement(sql: "SELECT document FROM read_models WHERE projection = ? AND partition = ? AND key = ?"), arguments: [projection, partition, key])
        else { return nil }
        return try JSONValue.parse(text)
    }

    static func save(_ db: Database, _ projection: String, _ partition: String, _ key: String, _ doc: JSONValue?) throws {
        if let doc {
            try db.cachedStatement(
                sql: "INSERT INTO read_models (projection, partition, key, document) VALUES (?, ?, ?, ?) ON CONFLICT DO UPDATE SET document = excluded.document"
            ).execute(arguments: [projection, partition, key, CanonicalJSON.string(doc)])
        } else {
            try db.execute(sql: "DELETE FROM read_models WHERE projection = ? AND partition = ? AND key = ?", arguments: [projection, partition, key])
        }
    }
}

extension SQLiteEventStore: StoredRowReader {}
