public import ApexDomain
package import Crypto
public import Foundation
public import Logging
public import PostgresNIO
public import ServiceLifecycle

/// The shared event store: PostgreSQL through PostgresNIO's connection pool, for many stateless
/// server processes on one database.
///
/// The global order is gap-safe because every append takes the single `store_head` row lock
/// before it assigns positions, and holds it until commit: transactions commit in position
/// order, so a reader never sees position n+1 before n. Appends send `NOTIFY apex_events`;
/// subscribers `LISTEN`. Run it (``run()``) as a `Service`, or use ``EventStores/withStore(url:projections:clock:logger:_:)``.
public final class PostgresEventStore: EventStore, Service {
    let client: PostgresClient
    let logger: Logger
    private let projections: [any Projection]
    private let clock: (@Sendable () -> Date)?
    /// Where the server is, for messages: `host:port` or the socket path (never the password).
    private let location: String
    private let appends: GroupCommit<AppendRequest, AppendResult>
    /// How many batches took each append path (tests and diagnostics).
    package let appendPaths = AppendPathCounts()

    /// A store on `configuration`; call ``run()`` (or run it in a `ServiceGroup`), then ``migrate(connectDeadline:)``.
    ///
    /// `recorded_at` comes from the database server's clock, shared by every process, unless
    /// `clock` is given (for tests that need a fixed time).
    public init(
        configuration: PostgresClient.Configuration, projections: [any Projection] = [], clock: (@Sendable () -> Date)? = nil,
        logger: Logger
    ) {
        self.client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        self.projections = projections
        self.clock = clock
        self.logger = logger
        self.location = configuration.unixSocketPath ?? "\(configuration.host ?? "localhost"):\(configuration.port ?? 5432)"
        self.appends = GroupCommit { [client, appendPaths] requests in
            try await Self.commit(requests, client: client, projections: projections, clock: clock, paths: appendPaths, logger: logger)
        }
    }

    /// Runs the connection pool until cancelled, and only then.
    ///
    /// `PostgresClient.run()` alone closes the pool at the first graceful-shutdown signal of a
    /// service group around it, under the services that still drain through it (a server inside
    /// an embedding app's group would see its consumers fail and stall). The pool therefore runs
    /// in a task that inherits no graceful-shutdown context; cancelling this call stops it.
    public func run() async throws {
        let pool = Task.detached { [client] in await client.run() }
        await withTaskCancellationHandler { await pool.value } onCancel: { pool.cancel() }
    }

    /// Creates or upgrades the schema; throws ``EventStoreError/Code/schemaTooNew`` for a newer one,
    /// ``EventStoreError/Code/unavailable`` when no connection succeeds within `connectDeadline`.
    ///
    /// The pool retries failed connects with backoff and would keep a first query waiting for
    /// about a minute, so a first `SELECT 1` runs under the deadline: an unreachable server, a
    /// wrong password or a missing database fails here, promptly, instead of hanging startup.
    public func migrate(connectDeadline: Duration = .seconds(10)) async throws {
        try await awaitConnection(deadline: connectDeadline)
        do { try await PostgresSchema.migrate(client, logger: logger) } catch let error as EventStoreError { throw error } catch let error as PostgresTransactionError {
            if let inner = error.closureError as? EventStoreError { throw inner }
            throw EventStoreError(.unavailable, "cannot migrate the PostgreSQL database at \(location)", underlying: error)
        } catch {
            throw EventStoreError(.unavailable, "cannot migrate the PostgreSQL database at \(location)", underlying: error)
        }
    }

    /// Whether the database holds Apex's schema (it is never created here); throws
    /// ``EventStoreError/Code/unavailable`` as ``migrate(connectDeadline:)`` does when no connection succeeds.
    public func schemaExists(connectDeadline: Duration = .seconds(10)) async throws -> Bool {
        try await awaitConnection(deadline: connectDeadline)
        do { return try await PostgresSchema.exists(client, logger: logger) } catch {
            throw EventStoreError(.unavailable, "cannot read the PostgreSQL database at \(location)", underlying: error)
        }
    }

    /// Returns once a first query succeeds, or throws ``EventStoreError/Code/unavailable`` after `deadline`.
    private func awaitConnection(deadline: Duration) async throws {
        let client = self.client
        let logger = self.logger
        let connected: Bool
        do {
            connected = try await withThrowingTaskGroup(of: Bool.self) { group in
                group.addTask {
                    for try await _ in try await client.query("SELECT 1", logger: logger) {}
                    return true
                }
                group.addTask {
                    try await Task.sleep(for: deadline)
                    return false
                }
                defer { group.cancelAll() }
                return try await group.next() ?? false
            }
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            throw EventStoreError(.unavailable, "the PostgreSQL server at \(location) refused the first query", underlying: error)
        }
        guard connected else {
            throw EventStoreError(
                .unavailable,
                "no connection to the PostgreSQL server at \(location) within \(deadline.components.seconds) s: check that it is running and that the URL's host, port, user, password and database are right")
        }
    }

    /// Appends atomically in one transaction under the store-head lock. Concurrent appends in
    /// this process share transactions (``GroupCommit``): one lock hold and one commit flush for
    /// all of them, each checked on its own.
    public func append(_ events: [ProposedEvent], to stream: StreamID, expected: ExpectedVersion) async throws -> AppendResult {
        try AppendPlanner.validate(events, to: stream)
        let result = try await appends.submit(AppendRequest(events: events, stream: stream, expected: expected))
        if result.wasDuplicate {
            return AppendResult(stream: stream, events: try await opened(result.events), nextExpectedVersion: result.nextExpectedVersion, wasDuplicate: true)
        }
        return result
    }

    /// Events of a stream from a version.
    public func readStream(_ stream: StreamID, from version: Int64, limit: Int, mode: ReadMode) async throws -> [EventEnvelope] {
        try await envelopes(try await rows(StreamPage(stream: stream.rawValue, from: version, limit: Int64(clamping: limit))), mode: mode)
    }

    /// A page of the global log.
    public func readAll(after position: Int64, limit: Int, mode: ReadMode) async throws -> [EventEnvelope] {
        try await envelopes(try await readRows(after: position, limit: limit), mode: mode)
    }

    /// A page of the global log as stored, undecoded.
    package func readRows(after position: Int64, limit: Int) async throws -> [EnvelopeColumns] {
        try await rows(LogPage(after: position, limit: Int64(clamping: limit)))
    }

    /// A page of events' hashes.
    package func readHashes(after position: Int64, limit: Int) async throws -> [PositionedHash] {
        try await guarded {
            try await self.client.withConnection { conn in
                var result: [PositionedHash] = []
                result.reserveCapacity(limit)
                for try await (position, hash) in try await conn.execute(HashPage(after: position, limit: Int64(clamping: limit)), logger: self.logger) {
                    result.append(PositionedHash(position: position, hash: hash))
                }
                return result
            }
        }
    }

    /// A page of one account's events as stored, undecoded.
    package func readAccountRows(_ account: UUID, after position: Int64, limit: Int) async throws -> [EnvelopeColumns] {
        try await rows(AccountPage(account: account, after: position, limit: Int64(clamping: limit)))
    }

    /// A page of one account's events.
    public func readAccount(_ account: UUID, after position: Int64, limit: Int, mode: ReadMode) async throws -> [EventEnvelope] {
        try await envelopes(try await rows(AccountPage(account: account, after: position, limit: Int64(clamping: limit))), mode: mode)
    }

    /// The rows `statement` selects, as stored, on a connection of the pool.
    private func rows(_ statement: some EventRowsStatement) async throws -> [EnvelopeColumns] {
        try await guarded {
            try await self.client.withConnection { conn in
                var result: [EnvelopeColumns] = []
                for try await row in try await conn.execute(statement, logger: self.logger) { result.append(EnvelopeColumns(row)) }
                return result
            }
        }
    }

    /// The stream's version.
    public func streamVersion(_ stream: StreamID) async throws -> Int64 {
        try await guarded { try await self.client.withConnection { conn in try await Self.head(conn, stream, self.logger)?.version ?? 0 } }
    }

    /// All stream heads.
    public func streamHeads() async throws -> [StreamID: StreamHead] {
        try await guarded {
            var heads: [StreamID: StreamHead] = [:]
            for try await (s, v, h) in try await self.client.query("SELECT stream_id, version, hash FROM streams", logger: self.logger).decode((String, Int64, String).self) {
                heads[StreamID(rawValue: s)] = StreamHead(version: v, hash: h)
            }
            return heads
        }
    }

    /// The last committed position.
    public func headPosition() async throws -> Int64 {
        try await guarded {
            var position: Int64 = 0
            for try await p in try await self.client.query("SELECT position FROM store_head WHERE id = 1", logger: self.logger).decode(Int64.self) {
                position = p
            }
            return position
        }
    }

    /// LISTENs on `apex_events` until a notification, or `timeout`.
    public func waitForAppend(after position: Int64, timeout: Duration) async throws {
        try await guarded {
            try await self.client.withConnection { conn in
                try await conn.listen(on: "apex_events") { notifications in
                    // Re-check after LISTEN is active, so a commit just before it is not missed.
                    var head: Int64 = 0
                    for try await p in try await conn.query("SELECT position FROM store_head WHERE id = 1", logger: self.logger).decode(Int64.self) {
                        head = p
                    }
                    guard head <= position else { return }
                    try await withThrowingTaskGroup(of: Void.self) { group in
                        group.addTask { try? await Task.sleep(for: timeout) }
                        group.addTask {
                            for try await _ in notifications { return }
                        }
                        try await group.next()
                        group.cancelAll()
                    }
                }
            }
        }
    }

    /// Adds a checkpoint row.
    public func insertCheckpoint(_ c: Checkpoint) async throws {
        _ = try await guarded {
            try await self.client.query(
                """
                INSERT INTO checkpoints (position, digest, created_at, public_key, signature, version, frontier)
                VALUES (\(c.position), \(c.digest), \(Timestamp.format(c.createdAt)), \(c.publicKey), \(c.signature), \(c.version), \(c.frontierText))
                """, logger: self.logger)
        }
    }

    /// All checkpoints.
    public func checkpoints() async throws -> [Checkpoint] {
        try await guarded {
            var result: [Checkpoint] = []
            for try await (p, d, t, k, s, v, f) in try await self.client.query(
                "SELECT position, digest, created_at, public_key, signature, version, frontier FROM checkpoints ORDER BY position, version", logger: self.logger
            ).decode((Int64, String, String, String, String, Int, String).self) {
                result.append(Checkpoint(stored: v, position: p, digest: d, createdAt: t, publicKey: k, signature: s, frontier: f))
            }
            return result
        }
    }

    /// Deletes keys.
    public func deleteKeys(_ subjects: [String]) async throws -> Int {
        guard !subjects.isEmpty else { return 0 }
        return try await guarded {
            var n = 0
            for try await _ in try await self.client.query("DELETE FROM data_keys WHERE subject = ANY(\(subjects)) RETURNING subject", logger: self.logger).decode(String.self) {
                n += 1
            }
            return n
        }
    }

    /// Subjects with keys.
    public func keySubjects(prefix: String) async throws -> [String] {
        try await guarded {
            var result: [String] = []
            for try await s in try await self.client.query(
                "SELECT subject FROM data_keys WHERE left(subject, \(Int32(prefix.count))) = \(prefix) ORDER BY subject", logger: self.logger
            ).decode(String.self) {
                result.append(s)
            }
            return result
        }
    }

    /// Rebuilds a projection from the whole log, in one transaction (appends wait meanwhile).
    public func rebuildProjection(_ projection: any Projection) async throws {
        let logger = self.logger
        try await guarded {
            try await self.client.withTransaction(logger: logger) { conn in
                try await conn.query("SELECT position FROM store_head WHERE id = 1 FOR UPDATE", logger: logger)
                try await conn.query("DELETE FROM projection_positions WHERE projection = \(projection.name)", logger: logger)
                try await Self.catchUp(conn, projection, logger)
            }
        }
    }

    /// A projection's documents in a partition.
    public func projectionDocuments(_ projection: any Projection, partition: String) async throws -> [String: JSONValue] {
        try await catchUpIfBehind(projection)
        return try await guarded {
            var docs: [String: JSONValue] = [:]
            for try await (k, d) in try await self.client.query(
                "SELECT key, document FROM read_models WHERE projection = \(projection.name) AND partition = \(partition)", logger: self.logger
            ).decode((String, String).self) {
                docs[k] = try JSONValue.parse(d)
            }
            return docs
        }
    }

    /// Folds the log into `projection` when it is behind the store's head.
    func catchUpIfBehind(_ projection: any Projection) async throws {
        let logger = self.logger
        let behind = try await guarded {
            try await self.client.withConnection { conn in
                var head: Int64 = 0
                for try await p in try await conn.query("SELECT position FROM store_head WHERE id = 1", logger: logger).decode(Int64.self) { head = p }
                return try await Self.projectionPosition(conn, projection, logger) != head
            }
        }
        if behind {
            try await guarded {
                try await self.client.withTransaction(logger: logger) { conn in
                    try await conn.query("SELECT position FROM store_head WHERE id = 1 FOR UPDATE", logger: logger)
                    try await Self.catchUp(conn, projection, logger)
                }
            }
        }
    }

    /// Imports stored events in one transaction under the store-head lock (see ``EventStore/importStored(_:)``).
    public func importStored(_ events: [EventEnvelope]) async throws {
        guard !events.isEmpty else { return }
        let logger = self.logger
        let projections = self.projections
        try await guarded {
            try await self.client.withTransaction(logger: logger) { conn in
                var head: Int64 = 0
                for try await p in try await conn.query("SELECT position FROM store_head WHERE id = 1 FOR UPDATE", logger: logger).decode(Int64.self) { head = p }
                var known: [StreamID: StreamHead?] = [:]
                for stream in Set(events.map(\.stream)) { known[stream] = try await Self.head(conn, stream, logger) }
                let heads = try AppendPlanner.checkImport(events, head: head) { known[$0] ?? nil }
                try await Self.insert(conn, events.map { EnvelopeColumns($0) }, heads: heads, logger)
                for projection in projections { try await Self.advance(conn, projection, with: events, from: head, logger) }
            }
        }
    }

    /// Nothing to do: the pool ends when ``run()`` is cancelled.
    public func close() async throws {}

    // MARK: - Internals

    /// The columns of ``EventRow``. The reason comes as bytes: from `reason_bytes` where it has
    /// a NUL (which `text` cannot hold), else the UTF-8 of `reason`.
    static let columns = """
        position, stream_id, version, id::text, type, schema_version, data::text, account_id::text, actor::text,
        request_metadata::text, coalesce(reason_bytes, convert_to(reason, 'UTF8')), to_char(recorded_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'), prev_hash, hash
        """

    func guarded<T>(_ body: () async throws -> T) async throws -> T {
        try await Self.guarded(body)
    }

    static func guarded<T>(_ body: () async throws -> T) async throws -> T {
        do { return try await body() } catch let error as PostgresTransactionError {
            // An error inside a transaction (a query's, a conflict, a projection's) is what the
            // caller needs, not the wrapper; a failed BEGIN or COMMIT is the database's.
            if let inner = error.closureError { throw Self.translate(inner) }
            throw EventStoreError(.unavailable, "a PostgreSQL transaction failed", underlying: error)
        } catch {
            throw Self.translate(error)
        }
    }

    /// A database error as an ``EventStoreError``; other errors unchanged.
    private static func translate(_ error: any Error) -> any Error {
        guard let error = error as? PSQLError else { return error }
        let text = error.serverInfo?[.message] ?? ""
        if text.contains("append-only") { return EventStoreError(.appendOnly, "recorded events cannot be changed", underlying: error) }
        if error.serverInfo?[.sqlState] == "23505" {
            return EventStoreError(.duplicateEventID, "an event id or stream version exists already", underlying: error)
        }
        return EventStoreError(.unavailable, "the PostgreSQL database failed (\(error.code))", underlying: error)
    }

    /// The keys these subjects have (none are created).
    package func existingKeys(_ subjects: Set<String>) async throws -> [String: SymmetricKey] {
        try await guarded { try await self.client.withConnection { conn in try await Self.keys(conn, for: subjects, create: false, self.logger) } }
    }

    private static func projectionPosition(_ conn: PostgresConnection, _ projection: any Projection, _ logger: Logger) async throws -> Int64? {
        for try await p in try await conn.query("SELECT position FROM projection_positions WHERE projection = \(projection.name)", logger: logger).decode(Int64.self) {
            return p
        }
        return nil
    }

    /// Folds the events after the projection's position up to the head (the caller holds the
    /// store-head lock); a projection with no position is rebuilt from scratch.
    private static func catchUp(_ conn: PostgresConnection, _ projection: any Projection, _ logger: Logger) async throws {
        var cursor: Int64
        if let position = try await projectionPosition(conn, projection, logger) {
            cursor = position
        } else {
            try await conn.query("DELETE FROM read_models WHERE projection = \(projection.name)", logger: logger)
            cursor = 0
        }
        while true {
            let page = try await select(conn, "SELECT \(unescaped: columns) FROM events WHERE position > \(cursor) ORDER BY position LIMIT 1000", logger)
            guard let last = page.last else { break }
            try await ProjectionApplier.apply(
                page, projections: [projection], load: { try await document(conn, $0, $1, $2, logger) }, save: { try await save(conn, $0, $1, $2, $3, logger) })
            cursor = last.position
        }
        try await setProjectionPosition(conn, projection, cursor, logger)
    }

    /// Inline in an append: folds the new events when the projection was at `previousHead`,
    /// otherwise catches it up (the new events are already inserted).
    static func advance(_ conn: PostgresConnection, _ projection: any Projection, with events: [EventEnvelope], from previousHead: Int64, _ logger: Logger) async throws {
        guard try await projectionPosition(conn, projection, logger) == previousHead, let last = events.last else {
            return try await catchUp(conn, projection, logger)
        }
        try await ProjectionApplier.apply(
            events, projections: [projection], load: { try await document(conn, $0, $1, $2, logger) }, save: { try await save(conn, $0, $1, $2, $3, logger) })
        try await setProjectionPosition(conn, projection, last.position, logger)
    }

    private static func setProjectionPosition(_ conn: PostgresConnection, _ projection: any Projection, _ position: Int64, _ logger: Logger) async throws {
        try await conn.query(
            """
            INSERT INTO projection_positions (projection, position) VALUES (\(projection.name), \(position))
            ON CONFLICT (projection) DO UPDATE SET position = excluded.position
            """, logger: logger)
    }

    static func head(_ conn: PostgresConnection, _ stream: StreamID, _ logger: Logger) async throws -> StreamHead? {
        var head: StreamHead?
        for try await (v, h) in try await conn.query("SELECT version, hash FROM streams WHERE stream_id = \(stream.rawValue)", logger: logger).decode((Int64, String).self) {
            head = StreamHead(version: v, hash: h)
        }
        return head
    }

    static func select(_ conn: PostgresConnection, _ query: PostgresQuery, _ logger: Logger) async throws -> [EventEnvelope] {
        try await selectRows(conn, query, logger).map { try $0.envelope() }
    }

    /// The rows a query selects (``columns``), as stored.
    static func selectRows(_ conn: PostgresConnection, _ query: PostgresQuery, _ logger: Logger) async throws -> [EnvelopeColumns] {
        var result: [EnvelopeColumns] = []
        for try await row in try await conn.query(query, logger: logger).decode(EventRow.self) { result.append(EnvelopeColumns(row)) }
        return result
    }

    static func keys(_ conn: PostgresConnection, for subjects: Set<String>, create: Bool, _ logger: Logger) async throws -> [String: SymmetricKey] {
        var keys: [String: SymmetricKey] = [:]
        guard !subjects.isEmpty else { return keys }
        let list = Array(subjects)
        for try await (s, k) in try await conn.execute(KeyRows(subjects: list), logger: logger) {
            keys[s] = SymmetricKey(data: k)
        }
        if create {
            for subject in list where keys[subject] == nil {
                let key = Sealer.newKey()
                try await conn.query("INSERT INTO data_keys (subject, key) VALUES (\(subject), \(key.withUnsafeBytes { Data($0) }))", logger: logger)
                keys[subject] = key
            }
        }
        return keys
    }

    private static func document(_ conn: PostgresConnection, _ projection: String, _ partition: String, _ key: String, _ logger: Logger) async throws -> JSONValue? {
        for try await d in try await conn.query(
            "SELECT document FROM read_models WHERE projection = \(projection) AND partition = \(partition) AND key = \(key)", logger: logger
        ).decode(String.self) {
            return try JSONValue.parse(d)
        }
        return nil
    }

    private static func save(_ conn: PostgresConnection, _ projection: String, _ partition: String, _ key: String, _ doc: JSONValue?, _ logger: Logger) async throws {
        if let doc {
            try await conn.query(
                """
                INSERT INTO read_models (projection, partition, key, document) VALUES (\(projection), \(partition), \(key), \(CanonicalJSON.string(doc)))
                ON CONFLICT (projection, partition, key) DO UPDATE SET document = excluded.document
                """, logger: logger)
        } else {
            try await conn.query("DELETE FROM read_models WHERE projection = \(projection) AND partition = \(partition) AND key = \(key)", logger: logger)
        }
    }
}

extension PostgresEventStore: StoredRowReader {}
