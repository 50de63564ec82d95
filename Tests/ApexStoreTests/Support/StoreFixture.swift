import ApexBackup
import ApexDomain
import ApexStore
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

struct FixtureError: Error, CustomStringConvertible {
    var description: String
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

/// The PostgreSQL server the test script started (`scripts/with-postgres.sh`).
enum TestPostgres {
    struct Settings: Sendable {
        var host: String, port: Int, user: String, password: String, database: String
    }

    /// The server settings, or a failure that says how to run the suite: the PostgreSQL tests never pass silently.
    static func settings() throws -> Settings {
        let env = ProcessInfo.processInfo.environment
        guard let host = env["POSTGRES_HOSTNAME"], let user = env["POSTGRES_USER"], let db = env["POSTGRES_DB"] else {
            throw FixtureError(description: "POSTGRES_HOSTNAME/PORT/USER/PASSWORD/DB are not set: run the suite with scripts/test.sh, which starts a PostgreSQL server")
        }
        return Settings(host: host, port: Int(env["POSTGRES_PORT"] ?? "5432") ?? 5432, user: user, password: env["POSTGRES_PASSWORD"] ?? "", database: db)
    }

    /// A scratch database, dropped afterwards.
    struct Database: Sendable {
        let settings: Settings
        let name: String
        var url: String {
            "postgres://\(settings.user):\(settings.password)@\(settings.host):\(settings.port)/\(name)"
        }

        func execute(_ sql: String) async throws {
            try await TestPostgres.withClient(database: name) { client in
                _ = try await client.query(PostgresQuery(unsafeSQL: sql), logger: Fixtures.logger)
            }
        }

        func dump() async throws -> Data {
            let bin = ProcessInfo.processInfo.environment["APEX_PG_BIN"] ?? "/usr/lib/postgresql/15/bin"
            let outcome = try await ChildProcess.run(
                "\(bin)/pg_dump", ["-h", settings.host, "-p", String(settings.port), "-U", settings.user, "--no-owner", name],
                adding: ["PGPASSWORD": settings.password], outputLimit: 256 << 20)
            guard outcome.status == 0 else { throw FixtureError(description: "pg_dump failed: \(outcome.errors)") }
            return Data(outcome.output.utf8)
        }
    }

    static func withClient<T: Sendable>(database: String? = nil, _ body: (PostgresClient) async throws -> T) async throws -> T {
        let s = try settings()
        let configuration = PostgresClient.Configuration(
            host: s.host, port: s.port, username: s.user, password: s.password, database: database ?? s.database, tls: .disable)
        let client = PostgresClient(configuration: configuration, backgroundLogger: Fixtures.logger)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            return try await body(client)
        }
    }

    static func withDatabase(_ body: (Database) async throws -> Void) async throws {
        let name = "apex_t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(16).lowercased()
        let s = try settings()
        try await withClient { client in _ = try await client.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)"), logger: Fixtures.logger) }
        do {
            try await body(Database(settings: s, name: name))
        } catch {
            try? await drop(name)
            throw error
        }
        try await drop(name)
    }

    private static func drop(_ name: String) async throws {
        try await withClient { client in
            _ = try await client.query(PostgresQuery(unsafeSQL: "DROP DATABASE IF EXISTS \(name) WITH (FORCE)"), logger: Fixtures.logger)
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
