import ApexDomain
import Crypto
import Foundation
import Logging
import PostgresNIO

/// How PostgreSQL appends are written: a transaction of several appends (``GroupCommit``) in
/// two statements when nothing changes between them, in a locked transaction otherwise.
///
/// Every statement costs a round trip and a pass through the driver, and that, not the data,
/// is what a durable append spends its time on. So the usual path reads what planning needs
/// (store clock, stream heads, keys, known ids) in one statement without a lock, plans and
/// seals, and then writes everything in one autocommitted statement that takes the store-head
/// lock, checks that what it planned on still holds (the heads unchanged, the keys present, the
/// clock not behind the last event) and inserts only if so. Inline read models whose documents
/// the appended streams own (``DocumentOwnership``, the server's project list) ride along: the
/// first statement reads the documents, the process folds the events in, and the write saves
/// them, the unchanged stream heads proving them unchanged. When a check fails — another
/// process appended to the same stream or erased a key in between — or a key must be created,
/// an id is known already, a read model is behind the log or shares documents between streams,
/// the batch is planned again inside the locked transaction (BEGIN, lock + reads, write,
/// COMMIT), which always decides.
/// Positions are assigned under the lock in both paths; they are not hashed, so a plan's
/// provisional positions are moved to where the lock put them.
extension PostgresEventStore {
    /// What planning a batch needs, read in one statement.
    struct AppendContext {
        var position: Int64
        /// The time the batch is recorded at: the store's clock, else the database's.
        var recordedAt: Date
        var heads: [StreamID: StreamHead]
        var keys: [String: SymmetricKey]
        /// The subjects the batch needs keys for, recorded at `recordedAt`.
        var subjects: Set<String>
        var knownIDs: Int
        /// The read-model documents asked for that exist, and the projections' positions.
        var documents: [DocumentKey: JSONValue] = [:]
        var projectionPositions: [String: Int64] = [:]
    }

    /// One transaction for `requests`: the two-statement path, or the locked one.
    static func commit(
        _ requests: [AppendRequest], client: PostgresClient, projections: [any Projection], clock: (@Sendable () -> Date)?,
        paths: AppendPathCounts, logger: Logger
    ) async throws -> [Result<AppendResult, any Error>] {
        try await guarded {
            if let fold = ReadModelFold(requests, projections: projections),
                let outcomes = try await optimistic(requests, fold: fold, client: client, clock: clock, logger: logger)
            {
                paths.count(locked: false)
                return outcomes
            }
            paths.count(locked: true)
            return try await client.withTransaction(logger: logger) { conn in
                try await locked(requests, conn: conn, projections: projections, clock: clock, logger: logger)
            }
        }
    }

    /// The two-statement path; nil when the locked transaction must decide.
    private static func optimistic(
        _ requests: [AppendRequest], fold: ReadModelFold, client: PostgresClient, clock: (@Sendable () -> Date)?, logger: Logger
    ) async throws -> [Result<AppendResult, any Error>]? {
        try await client.withConnection { conn in
            let context = try await readContext(requests, documents: fold, conn: conn, clock: clock, logger: logger)
            let (recordedAt, subjects) = (context.recordedAt, context.subjects)
            guard context.knownIDs == 0, subjects.isSubset(of: context.keys.keys) else { return nil }
            // A read model behind the log catches up under the lock first.
            guard fold.projections.allSatisfy({ (context.projectionPositions[$0.name] ?? 0) == context.position }) else { return nil }
            let plan = AppendPlanner.plan(requests, after: context.position, recordedAt: recordedAt, heads: context.heads, existing: [], keys: context.keys)
            guard !plan.stored.isEmpty else { return plan.outcomes }
            let documents = try fold.fold(plan.stored, documents: context.documents)
            let assumed = Array(Set(plan.stored.map(\.stream))).map { ($0.rawValue, context.heads[$0]) }
            let rows = plan.rows
            var base: Int64?
            do {
                let statement = AppendWrite(
                    assumedStreams: assumed.map(\.0), assumedVersions: assumed.map { $0.1?.version ?? 0 }, assumedHashes: assumed.map { $0.1?.hash ?? "" },
                    subjects: Array(subjects), recordedAt: rows[0].recordedAt, checksClock: true, rows: rows, heads: Array(plan.heads),
                    documents: documents, projections: fold.projections.map(\.name))
                base = try await write(statement, conn: conn, logger: logger)
            } catch let error as PSQLError where error.serverInfo?[.sqlState] == "23505" {
                return nil  // another process wrote one of these ids or stream versions first
            }
            guard let base else { return nil }
            let shift = base - context.position
            return plan.outcomes.map { outcome in
                outcome.map { result in
                    var result = result
                    for i in result.events.indices { result.events[i].position += shift }
                    return result
                }
            }
        }
    }

    /// Runs an ``AppendWrite``: the store head it locked when it wrote, nil when a check failed.
    /// Throws when PostgreSQL wrote other than every row, head, the store head and the notification.
    static func write(_ statement: AppendWrite, conn: PostgresConnection, logger: Logger) async throws -> Int64? {
        var base: Int64?
        for try await (ok, position, written) in try await conn.execute(statement, logger: logger) where ok {
            guard written == statement.expectedWrites else {
                throw EventStoreError(.unavailable, "PostgreSQL wrote \(written) rows of an append of \(statement.rows.count) events")
            }
            base = position
        }
        return base
    }

    /// Writes rows decided under the store-head lock (the locked path, imports): no checks.
    static func insert(_ conn: PostgresConnection, _ rows: [EnvelopeColumns], heads: [StreamID: StreamHead], _ logger: Logger) async throws {
        let statement = AppendWrite(
            assumedStreams: [], assumedVersions: [], assumedHashes: [], subjects: [], recordedAt: rows[0].recordedAt, checksClock: false,
            rows: rows, heads: Array(heads), documents: [], projections: [])
        guard let base = try await write(statement, conn: conn, logger: logger), base + 1 == rows.first!.position else {
            throw EventStoreError(.unavailable, "PostgreSQL did not write an append decided under the store-head lock")
        }
    }

    /// The locked path: the caller's transaction holds the store-head lock from the first read.
    private static func locked(
        _ requests: [AppendRequest], conn: PostgresConnection, projections: [any Projection], clock: (@Sendable () -> Date)?, logger: Logger
    ) async throws -> [Result<AppendResult, any Error>] {
        let ids = requests.flatMap { $0.events.map(\.id) }
        // The lock in a statement of its own: a statement that waits for a lock still reads
        // what was committed when it began, so the heads must be read by the next statement.
        for try await _ in try await conn.query("SELECT position FROM store_head WHERE id = 1 FOR UPDATE", logger: logger) {}
        let context = try await readContext(requests, documents: nil, conn: conn, clock: clock, logger: logger)
        let recordedAt = context.recordedAt
        var keys = context.keys
        let missing = context.subjects.subtracting(keys.keys)
        if !missing.isEmpty { keys.merge(try await Self.keys(conn, for: missing, create: true, logger)) { a, _ in a } }
        let existing =
            context.knownIDs == 0 ? [] : try await select(conn, "SELECT \(unescaped: columns) FROM events WHERE id = ANY(\(ids)) ORDER BY position", logger)
        let plan = AppendPlanner.plan(requests, after: context.position, recordedAt: recordedAt, heads: context.heads, existing: existing, keys: keys)
        guard !plan.stored.isEmpty else { return plan.outcomes }
        try await insert(conn, plan.rows, heads: plan.heads, logger)
        for projection in projections { try await advance(conn, projection, with: plan.stored, from: context.position, logger) }
        return plan.outcomes
    }

    /// The store head and clock, the requests' stream heads, the keys their subjects need at
    /// this month, and how many of their ids are known, in one statement; then the time the batch
    /// is recorded at and its subjects then. Those are the subjects the keys were read for unless
    /// the database's clock puts the batch in another month than the process's. With `documents`,
    /// also the read-model documents the fold may change and its projections' positions.
    private static func readContext(
        _ requests: [AppendRequest], documents fold: ReadModelFold?, conn: PostgresConnection, clock: (@Sendable () -> Date)?, logger: Logger
    ) async throws -> AppendContext {
        let ids = requests.flatMap { $0.events.map(\.id) }
        let streams = Array(Set(requests.map(\.stream.rawValue)))
        let readAt = clock?() ?? Date()
        let planned = AppendPlanner.subjects(of: requests, recordedAt: readAt)
        var context = AppendContext(position: 0, recordedAt: readAt, heads: [:], keys: [:], subjects: planned, knownIDs: 0)
        var databaseNow = readAt
        var headsJSON = "[]"
        var keysJSON = "[]"
        var documentsJSON = "[]"
        var positionsJSON = "[]"
        let read = ReadContext(streams: streams, subjects: Array(planned), ids: ids, documents: fold?.targets ?? [], projections: fold?.projections.map(\.name) ?? [])
        for try await row in try await conn.execute(read, logger: logger) {
            (context.position, databaseNow, headsJSON, keysJSON, context.knownIDs, documentsJSON, positionsJSON) = row
        }
        (context.documents, context.projectionPositions) = try parseReadModels(documents: documentsJSON, positions: positionsJSON)
        context.recordedAt = clock?() ?? databaseNow
        if !Sealer.sameMonth(readAt, context.recordedAt) { context.subjects = AppendPlanner.subjects(of: requests, recordedAt: context.recordedAt) }
        for case .array(let h) in try JSONValue.parse(headsJSON).arrayValue ?? [] {
            guard h.count == 3, let stream = h[0].stringValue, let version = h[1].numberValue, let hash = h[2].stringValue else { continue }
            context.heads[StreamID(rawValue: stream)] = StreamHead(version: Int64(version), hash: hash)
        }
        for case .array(let k) in try JSONValue.parse(keysJSON).arrayValue ?? [] {
            guard k.count == 2, let subject = k[0].stringValue, let text = k[1].stringValue,
                let data = Data(base64Encoded: text, options: .ignoreUnknownCharacters)
            else { continue }
            context.keys[subject] = SymmetricKey(data: data)
        }
        return context
    }
}

extension PostgresEventStore {
    /// The read that planning needs, prepared once per connection (parsing and planning it
    /// every time cost more than running it).
    struct ReadContext: PostgresPreparedStatement {
        typealias Row = (Int64, Date, String, String, Int, String, String)
        static let name = "apex_read_context"
        static let sql = """
            SELECT h.position, clock_timestamp(),
                (SELECT coalesce(json_agg(json_build_array(stream_id, version, hash)), '[]')::text FROM streams WHERE stream_id = ANY($1)),
                (SELECT coalesce(json_agg(json_build_array(subject, encode(key, 'base64'))), '[]')::text FROM data_keys WHERE subject = ANY($2)),
                (SELECT count(*)::int FROM events WHERE id = ANY($3::uuid[])),
                (SELECT coalesce(json_agg(json_build_array(r.projection, r.partition, r.key, r.document)), '[]')::text
                    FROM read_models r JOIN unnest($4::text[], $5::text[], $6::text[]) AS t(p, pa, k)
                    ON r.projection = t.p AND r.partition = t.pa AND r.key = t.k),
                (SELECT coalesce(json_agg(json_build_array(projection, position)), '[]')::text FROM projection_positions WHERE projection = ANY($7::text[]))
            FROM store_head h WHERE h.id = 1
            """

        var streams: [String]
        var subjects: [String]
        var ids: [UUID]
        /// The read-model documents to read, and the projections whose positions to read.
        var documents: [DocumentKey]
        var projections: [String]

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 7)
            bindings.append(streams)
            bindings.append(subjects)
            bindings.append(ids)
            bindings.append(documents.map(\.projection))
            bindings.append(documents.map(\.partition))
            bindings.append(documents.map(\.key))
            bindings.append(projections)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(Row.self) }
    }

    /// The write of every append: the store-head lock, the checks, and — only when they hold —
    /// every row, the stream heads, the store head and the notification. Returns whether it
    /// wrote, the store head it found, and how many rows it wrote. Rows take the positions after
    /// the store head it locked.
    ///
    /// The checks are what the two-statement path planned on: the assumed stream heads, the
    /// subjects' keys, and the clock not behind the last event. The last event's time is read
    /// from the locked `store_head` row (and from the event, when visible): a statement that
    /// waited for the lock still reads the snapshot from before the wait, in which the event
    /// another writer just committed is invisible, while the locked row is read as committed.
    /// The stream heads it reads may be stale the same way; the unique `(stream_id, version)`
    /// then rejects the insert, and the locked transaction decides. The locked path and imports,
    /// which decided under the lock already, pass none (no streams, no subjects, no clock check).
    /// Every parameter keeps its type from call to call (a statement is prepared once per
    /// connection with the types of its first call; a NULL there would fix a wrong one).
    ///
    /// The result row counts the data-modifying parts, so PostgreSQL must finish them before it
    /// sends the row: an error in one (another writer's row at the same stream version) then
    /// arrives instead of the row, never after it. Unreferenced, they would run after the row
    /// was sent, and a client that stops reading at the row would take a failed write for a
    /// written one — in a transaction, the unread error would leave it aborted and its COMMIT a
    /// silent rollback.
    struct AppendWrite: PostgresPreparedStatement {
        typealias Row = (Bool, Int64, Int64)
        static let name = "apex_append_write"
        static let sql = """
            WITH head AS (
                SELECT position, recorded_at FROM store_head WHERE id = 1 FOR UPDATE
            ), checked AS (
                SELECT
                    (SELECT count(*) FROM unnest($1::text[], $2::bigint[], $3::text[]) AS a(s, v, h)
                        LEFT JOIN streams st ON st.stream_id = a.s
                        WHERE coalesce(st.version, 0) = a.v AND coalesce(st.hash, '') = a.h) = cardinality($1::text[])
                    AND (SELECT count(*) FROM data_keys WHERE subject = ANY($4::text[])) = cardinality($4::text[])
                    AND (NOT $23::bool OR head.position = 0
                        OR coalesce(greatest(head.recorded_at, (SELECT e.recorded_at FROM events e WHERE e.position = head.position))
                            <= $5::timestamptz, false))
                    AS ok
                FROM head
            ), inserted AS (
                INSERT INTO events (position, stream_id, version, id, type, schema_version, data, account_id, actor,
                    request_metadata, reason, recorded_at, prev_hash, hash, reason_bytes)
                SELECT head.position + x.n, s, v, i::uuid, t, sv, d::json, a::uuid, ac::json, m::json, CASE WHEN rn THEN NULL ELSE r END,
                    ts::timestamptz, ph, h, nullif(rb, ''::bytea)
                FROM head, checked,
                    unnest($6::text[], $7::bigint[], $8::text[], $9::text[], $10::int[], $11::text[], $12::text[], $13::text[], $14::text[],
                        $15::text[], $16::bool[], $17::text[], $18::text[], $19::text[], $24::bytea[])
                    WITH ORDINALITY AS x(s, v, i, t, sv, d, a, ac, m, r, rn, ts, ph, h, rb, n)
                WHERE checked.ok
                ORDER BY x.n
                RETURNING 1
            ), moved AS (
                INSERT INTO streams (stream_id, version, hash)
                SELECT s, v, h FROM checked, unnest($20::text[], $21::bigint[], $22::text[]) AS x(s, v, h)
                WHERE checked.ok
                ON CONFLICT (stream_id) DO UPDATE SET version = excluded.version, hash = excluded.hash
                RETURNING 1
            ), bumped AS (
                UPDATE store_head SET position = head.position + cardinality($6::text[]),
                    recorded_at = ($17::text[])[cardinality($17::text[])]::timestamptz
                FROM head, checked WHERE store_head.id = 1 AND checked.ok
                RETURNING 1
            ), notified AS (
                SELECT pg_notify('apex_events', (head.position + cardinality($6::text[]))::text) FROM head, checked WHERE checked.ok
            ), saved AS (
                INSERT INTO read_models (projection, partition, key, document)
                SELECT p, pa, k, d FROM checked, unnest($25::text[], $26::text[], $27::text[], $28::text[], $29::bool[]) AS x(p, pa, k, d, gone)
                WHERE checked.ok AND NOT x.gone
                ON CONFLICT (projection, partition, key) DO UPDATE SET document = excluded.document
                RETURNING 1
            ), dropped AS (
                DELETE FROM read_models r USING checked, unnest($25::text[], $26::text[], $27::text[], $29::bool[]) AS x(p, pa, k, gone)
                WHERE checked.ok AND x.gone AND r.projection = x.p AND r.partition = x.pa AND r.key = x.k
                RETURNING 1
            ), positioned AS (
                INSERT INTO projection_positions (projection, position)
                SELECT p, head.position + cardinality($6::text[]) FROM head, checked, unnest($30::text[]) AS x(p) WHERE checked.ok
                ON CONFLICT (projection) DO UPDATE SET position = excluded.position
                RETURNING 1
            )
            SELECT checked.ok, head.position,
                (SELECT count(*) FROM inserted) + (SELECT count(*) FROM moved) + (SELECT count(*) FROM bumped) + (SELECT count(*) FROM notified)
                    + (SELECT count(*) FROM saved) + (SELECT count(*) FROM positioned) + 0 * (SELECT count(*) FROM dropped)
            FROM head, checked
            """

        var assumedStreams: [String]
        var assumedVersions: [Int64]
        var assumedHashes: [String]
        var subjects: [String]
        var recordedAt: String
        /// Whether the last event must not be later than `recordedAt`.
        var checksClock: Bool
        var rows: [EnvelopeColumns]
        var heads: [(key: StreamID, value: StreamHead)]
        /// Read-model documents folded on the two-statement path (nil deletes one), and the
        /// projections whose position moves to the new store head with them.
        var documents: [(key: DocumentKey, document: JSONValue?)]
        var projections: [String]

        /// What a write that passed its checks writes and counts: every row, head, saved document
        /// and projection position, the store head and the notification (a deleted document
        /// may have been absent, so deletions are not counted).
        var expectedWrites: Int64 {
            Int64(rows.count + heads.count + 2 + documents.filter { $0.document != nil }.count + projections.count)
        }

        func makeBindings() throws -> PostgresBindings {
            // A reason with a NUL goes into `reason_bytes` (and `reason` is NULL): `text` cannot hold it.
            let nulReasons = rows.map { $0.reason.flatMap { $0.utf8.contains(0) ? $0 : nil } }
            var b = PostgresBindings(capacity: 30)
            b.append(assumedStreams)
            b.append(assumedVersions)
            b.append(assumedHashes)
            b.append(subjects)
            b.append(recordedAt)
            b.append(rows.map(\.stream))
            b.append(rows.map(\.version))
            b.append(rows.map(\.id))
            b.append(rows.map(\.type))
            b.append(rows.map { Int32($0.schemaVersion) })
            b.append(rows.map(\.data))
            b.append(rows.map(\.accountID))
            b.append(rows.map(\.actor))
            b.append(rows.map(\.requestMetadata))
            b.append(zip(rows, nulReasons).map { row, nul in nul == nil ? row.reason ?? "" : "" })
            b.append(zip(rows, nulReasons).map { row, nul in row.reason == nil || nul != nil })
            b.append(rows.map(\.recordedAt))
            b.append(rows.map(\.prevHash))
            b.append(rows.map(\.hash))
            b.append(heads.map(\.key.rawValue))
            b.append(heads.map(\.value.version))
            b.append(heads.map(\.value.hash))
            b.append(checksClock)
            b.append(nulReasons.map { ByteBuffer(string: $0 ?? "") })
            b.append(documents.map(\.key.projection))
            b.append(documents.map(\.key.partition))
            b.append(documents.map(\.key.key))
            b.append(documents.map { $0.document.map(CanonicalJSON.string) ?? "" })
            b.append(documents.map { $0.document == nil })
            b.append(projections)
            return b
        }

        func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(Row.self) }
    }
}
