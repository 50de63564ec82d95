import ApexDomain
import ApexStore
import ApexTestSupport
import Foundation
import GRDB
import Logging
import PostgresNIO
import Testing

/// The adapters every conformance test runs against.
enum StoreKind: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case memory, sqlite, postgres
    var testDescription: String { rawValue }

    /// The stores with a database behind them, for tests that reach past the store into it.
    static let sql: [StoreKind] = [.sqlite, .postgres]
}

/// A store under test plus raw access to its database, for tampering and inspection.
struct StoreFixture: Sendable {
    let kind: StoreKind
    let store: any EventStore
    /// `sqlite:…` or `postgres://…`; nil for memory.
    let url: String?
    let sqlitePath: String?
    let postgres: TestPostgres.Database?

    /// Runs raw SQL against the database itself, bypassing the store.
    func execute(_ sql: String) async throws {
        switch kind {
        case .memory: throw FixtureError(description: "no SQL for the in-memory store")
        case .sqlite:
            let queue = try DatabaseQueue(path: sqlitePath!)
            try await queue.write { db in try db.execute(sql: sql) }
            try queue.close()
        case .postgres:
            try await postgres!.execute(sql)
        }
    }

    /// Drops the database's own append-only guard (its triggers on events and checkpoints), so
    /// a test can tamper with recorded events and checkpoints as someone with direct database
    /// access could.
    func disableAppendOnlyTriggers() async throws {
        if kind == .sqlite {
            try await execute(
                "DROP TRIGGER events_reject_update; DROP TRIGGER events_reject_delete; DROP TRIGGER checkpoints_reject_update; DROP TRIGGER checkpoints_reject_delete;")
        } else {
            try await execute("ALTER TABLE events DISABLE TRIGGER USER")
            try await execute("ALTER TABLE checkpoints DISABLE TRIGGER USER")
        }
    }

    /// Expects the database itself to refuse `sql` with its append-only guard: SQLite's trigger
    /// `RAISE(ABORT, 'apex: … are append-only')` (`SQLITE_CONSTRAINT_TRIGGER`), PostgreSQL's
    /// `RAISE EXCEPTION 'apex: % are append-only'` (SQLSTATE P0001) — no other error, such as a
    /// dropped connection, passes.
    func expectAppendOnlyRefusal(_ sql: String, sourceLocation: SourceLocation = #_sourceLocation) async {
        switch kind {
        case .memory:
            Issue.record("no SQL for the in-memory store", sourceLocation: sourceLocation)
        case .sqlite:
            let error = await #expect(throws: DatabaseError.self, "\(sql)", sourceLocation: sourceLocation) { try await execute(sql) }
            #expect(error?.extendedResultCode == .SQLITE_CONSTRAINT_TRIGGER, "\(sql): \(String(describing: error))", sourceLocation: sourceLocation)
            #expect(error?.message?.contains("append-only") == true, "\(sql): \(String(describing: error))", sourceLocation: sourceLocation)
        case .postgres:
            let error = await #expect(throws: PSQLError.self, "\(sql)", sourceLocation: sourceLocation) { try await execute(sql) }
            #expect(error?.code == .server, "\(sql): \(String(reflecting: error))", sourceLocation: sourceLocation)
            #expect(error?.serverInfo?[.sqlState] == "P0001", "\(sql): \(String(reflecting: error))", sourceLocation: sourceLocation)
            #expect(error?.serverInfo?[.message]?.contains("append-only") == true, "\(sql): \(String(reflecting: error))", sourceLocation: sourceLocation)
        }
    }

    /// The raw bytes of everything the database holds: the SQLite file and its WAL, or a pg_dump.
    func rawContents() async throws -> Data {
        switch kind {
        case .memory: throw FixtureError(description: "no file for the in-memory store")
        case .sqlite:
            var data = try Data(contentsOf: URL(fileURLWithPath: sqlitePath!))
            if let wal = try? Data(contentsOf: URL(fileURLWithPath: sqlitePath! + "-wal")) { data.append(wal) }
            return data
        case .postgres:
            return try await postgres!.dump()
        }
    }
}

enum Fixtures {
    static let logger: Logger = {
        var logger = Logger(label: "apex.tests")
        logger.logLevel = .error
        return logger
    }()

    /// Runs `body` with a fresh, empty store of `kind`.
    static func withStore(
        _ kind: StoreKind, projections: [any Projection] = [], clock: @escaping @Sendable () -> Date = { Date() },
        _ body: (StoreFixture) async throws -> Void
    ) async throws {
        switch kind {
        case .memory:
            try await body(StoreFixture(kind: kind, store: InMemoryEventStore(projections: projections, clock: clock), url: nil, sqlitePath: nil, postgres: nil))
        case .sqlite:
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("apex-test-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: dir) }
            let path = dir.appendingPathComponent("apex.sqlite").path
            var configuration = SQLiteEventStore.Configuration()
            configuration.projections = projections
            configuration.clock = clock
            let store = try SQLiteEventStore(path: path, configuration: configuration)
            try await body(StoreFixture(kind: kind, store: store, url: "sqlite:\(path)", sqlitePath: path, postgres: nil))
            try await store.close()
        case .postgres:
            try await TestPostgres.withDatabase { database in
                try await EventStores.withStore(url: database.url, projections: projections, clock: clock, logger: logger) { store in
                    try await body(StoreFixture(kind: kind, store: store, url: database.url, sqlitePath: nil, postgres: database))
                }
            }
        }
    }
}

/// Event builders for tests.
enum Events {
    static let account = UUID(uuidString: "00000000-0000-4000-8000-0000000000aa")!
    static let user = UUID(uuidString: "00000000-0000-4000-8000-0000000000bb")!

    static func note(_ text: String, id: UUID = UUID(), metadata: RequestMetadata = .none) -> ProposedEvent {
        ProposedEvent(id: id, type: "test.note", data: ["text": .string(text)], accountID: account, actor: .user(user), requestMetadata: metadata)
    }

    static func notes(_ count: Int, prefix: String = "n") -> [ProposedEvent] {
        (0..<count).map { note("\(prefix)\($0)") }
    }
}
