import ApexDomain
import ApexStore
import ApexTestSupport
import Foundation
import GRDB
import PostgresNIO
import ServiceLifecycle
import Testing

@Suite("Opening a store: URLs and clear errors")
struct StoreOpeningTests {
    // MARK: - StoreURL

    @Test(arguments: [
        ("sqlite:./apex-data/apex.sqlite", "./apex-data/apex.sqlite"),
        ("sqlite:/var/lib/apex/apex.sqlite", "/var/lib/apex/apex.sqlite"),
        ("sqlite:///var/lib/apex/apex.sqlite", "/var/lib/apex/apex.sqlite"),
        ("sqlite://apex-data/apex.sqlite", "apex-data/apex.sqlite"),
        ("sqlite:apex.sqlite", "apex.sqlite"),
    ])
    func sqliteURLsNameAPath(text: String, path: String) throws {
        #expect(try StoreURL(text) == .sqlite(path: path))
        #expect(try StoreURL(text).description == "sqlite:\(path)")
    }

    @Test
    func theDefaultURLIsAnSQLiteFile() throws {
        #expect(try StoreURL(StoreURL.defaultURL) == .sqlite(path: "./apex-data/apex.sqlite"))
    }

    @Test
    func aPostgresURLNamesUserPasswordHostPortAndDatabase() throws {
        let location = try postgres("postgres://apex:s3cret@db.example.com:6543/audit")
        #expect(location.user == "apex")
        #expect(location.password == "s3cret")
        #expect(location.host == "db.example.com")
        #expect(location.port == 6543)
        #expect(location.database == "audit")
        #expect(location.socketDirectory == nil)
        #expect(!location.requireTLS)
    }

    @Test
    func postgresqlSchemeNoPasswordAndTheDefaultPort() throws {
        let location = try postgres("postgresql://apex@localhost/apex")
        #expect(location.user == "apex")
        #expect(location.password == nil)
        #expect(location.host == "localhost")
        #expect(location.port == 5432)
        #expect(location.database == "apex")
    }

    @Test(arguments: [
        ("p%40ss%3Aw%2Frd", "p@ss:w/rd"),
        ("100%25sure", "100%sure"),
        ("%2541", "%41"),
        ("caf%C3%A9", "café"),
    ])
    func percentEncodedPasswordsDecodeExactlyOnce(encoded: String, password: String) throws {
        #expect(try postgres("postgres://apex:\(encoded)@localhost:5432/apex").password == password)
    }

    @Test
    func sslmodeRequireAsksForTLS() throws {
        #expect(try postgres("postgres://apex:pw@db.example.com/apex?sslmode=require").requireTLS)
        #expect(try !postgres("postgres://apex:pw@db.example.com/apex?sslmode=disable").requireTLS)
    }

    @Test
    func aHostQueryParameterSelectsTheUnixSocketDirectory() throws {
        let location = try postgres("postgres://apex@localhost:5433/apex?host=/var/run/postgresql")
        #expect(location.socketDirectory == "/var/run/postgresql")
        #expect(location.port == 5433)
        let hostless = try postgres("postgres://apex@/apex?host=/tmp/pg")
        #expect(hostless.socketDirectory == "/tmp/pg")
        #expect(hostless.database == "apex")
        // The socket path is what PostgresNIO gets.
        let configuration = EventStores.postgresConfiguration(location)
        #expect(configuration.unixSocketPath == "/var/run/postgresql/.s.PGSQL.5433")
        #expect(configuration.host == nil)
    }

    @Test
    func aStoreOpenedFromAURLRunsItsPoolWithoutPerLeaseTimers() throws {
        // Keep-alive and idle-timeout timers start on every return of a connection to the pool
        // and hold memory until their deadline even when cancelled (EventStores.applyPoolOptions).
        for url in ["postgres://apex@localhost:5432/apex", "postgres://apex@/apex?host=/tmp/pg"] {
            let configuration = EventStores.postgresConfiguration(try postgres(url))
            #expect(configuration.options.keepAliveBehavior == nil)
            #expect(configuration.options.minimumConnections == 2)
            #expect(configuration.options.maximumConnections >= 2)
        }
    }

    @Test(arguments: [
        ("", "sqlite:"),
        ("sqlite:", "file path"),
        ("sqlite://", "file path"),
        ("http://localhost:5432/apex", "postgres://"),
        ("mysql://apex@localhost/apex", "postgres://"),
        ("./apex.sqlite", "sqlite:"),
        ("postgres://apex:pw@localhost:5432", "database"),
        ("postgres://apex:pw@localhost:5432/", "database"),
        ("postgres://localhost:5432/apex", "user"),
        ("postgres://:pw@localhost:5432/apex", "user"),
    ])
    func badURLsAreInvalidURLErrorsThatSayWhatIsExpected(text: String, hint: String) throws {
        let error = try #require(throws: EventStoreError.self) { try StoreURL(text) }
        #expect(error.code == .invalidURL)
        #expect(error.code.description == "invalid_store_url")
        #expect(error.message.contains(hint), "'\(error.message)' should mention \(hint)")
        #expect(!error.description.contains("pw"))
    }

    @Test(arguments: [
        "postgres://apex:topsecret@db.example.com:5432/apex",
        "postgres://apex:topsecret@db.example.com/apex?sslmode=require",
        "postgresql://apex:top%73ecret@db.example.com/apex",
        "postgres://apex:topsecret@/apex?host=/var/run/postgresql",
    ])
    func theDescriptionNeverShowsThePassword(text: String) throws {
        let url = try StoreURL(text)
        #expect(!url.description.contains("topsecret"))
        #expect(!url.description.contains("top%73ecret"))
        #expect(url.description.contains("***"))
        #expect(!String(describing: url).contains("topsecret"))
        #expect(url.description.hasPrefix("postgres://apex:***@"))
    }

    // MARK: - SQLite

    @Test
    func anSQLitePathThatCannotBeCreatedIsUnavailable() async throws {
        let dir = try scratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("plain-file")
        try Data("not a directory".utf8).write(to: file)
        let path = file.appendingPathComponent("sub/apex.sqlite").path

        let direct = try #require(throws: EventStoreError.self) { try SQLiteEventStore(path: path) }
        #expect(direct.code == .unavailable)
        #expect(direct.message.contains(path))
        let viaURL = try await #require(throws: EventStoreError.self) {
            try await EventStores.withStore(url: "sqlite:\(path)") { _ in }
        }
        #expect(viaURL.code == .unavailable)
    }

    @Test
    func aFileThatIsNotAnSQLiteDatabaseIsUnavailable() async throws {
        let dir = try scratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("apex.sqlite").path
        try Data(repeating: 0x5A, count: 8192).write(to: URL(fileURLWithPath: path))
        let error = try #require(throws: EventStoreError.self) { try SQLiteEventStore(path: path) }
        #expect(error.code == .unavailable)
    }

    @Test
    func anSQLiteFileMigratedByANewerApexIsSchemaTooNew() async throws {
        let dir = try scratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("apex.sqlite").path
        try await EventStores.withStore(url: "sqlite:\(path)") { store in
            _ = try await store.append([Events.note("before the upgrade")], to: .project(UUID()), expected: .noStream)
        }
        let queue = try DatabaseQueue(path: path)
        try await queue.write { db in try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v99-future')") }
        try queue.close()

        let direct = try #require(throws: EventStoreError.self) { try SQLiteEventStore(path: path) }
        #expect(direct.code == .schemaTooNew)
        #expect(direct.message.contains("newer"))
        let viaURL = try await #require(throws: EventStoreError.self) {
            try await EventStores.withStore(url: "sqlite:\(path)") { _ in }
        }
        #expect(viaURL.code == .schemaTooNew)
    }

    // MARK: - PostgreSQL

    @Test
    func aPostgresDatabaseOfANewerSchemaIsSchemaTooNew() async throws {
        try await TestPostgres.withDatabase { database in
            try await EventStores.withStore(url: database.url, logger: Fixtures.logger) { store in
                _ = try await store.append([Events.note("before the upgrade")], to: .project(UUID()), expected: .noStream)
            }
            try await database.execute("INSERT INTO apex_schema (version) VALUES (99)")
            let error = try await #require(throws: EventStoreError.self) {
                try await withDeadline(.seconds(30)) {
                    try await EventStores.withStore(url: database.url, logger: Fixtures.logger) { _ in }
                }
            }
            #expect(error.code == .schemaTooNew)
            #expect(error.message.contains("99"))
        }
    }

    /// A server embedded in an app's service group drains its consumers after the group's
    /// graceful shutdown begins; the store it opened must still answer until it closes it.
    /// (PostgresNIO's client alone closes its pool at that signal, and the CI benchmark hung.)
    @Test
    func aPostgresStoreOpenedInsideAServiceOutlivesTheGroupsGracefulShutdown() async throws {
        try await TestPostgres.withDatabase { database in
            let stream = StreamID.project(UUID())
            let service = StoreUser(url: database.url, stream: stream)
            let group = ServiceGroup(configuration: .init(services: [.init(service: service)], logger: Fixtures.logger))
            try await withDeadline(.seconds(60)) {
                try await withThrowingTaskGroup(of: Void.self) { tasks in
                    tasks.addTask { try await group.run() }
                    try await Task.sleep(for: .milliseconds(200))
                    await group.triggerGracefulShutdown()
                    try await tasks.waitForAll()
                }
            }
            let types = try await EventStores.withStore(url: database.url, logger: Fixtures.logger) { store in
                try await store.readStream(stream).map(\.type)
            }
            #expect(types == ["test.note", "test.note"])
        }
    }

    /// Schema 3 keeps the last event's time on the locked `store_head` row; a database written
    /// by the previous release is migrated on open, the time filled in from its last event.
    @Test
    func aSchema2PostgresDatabaseMigratesWithItsLastEventTime() async throws {
        try await TestPostgres.withDatabase { database in
            try await EventStores.withStore(url: database.url, logger: Fixtures.logger) { store in
                _ = try await store.append(Events.notes(3), to: .project(UUID()), expected: .noStream)
            }
            // Back to schema 2: schema 4's and 5's columns go too (they are added again, and the rows
            // written before it read and verify as they did).
            try await database.execute("ALTER TABLE store_head DROP COLUMN recorded_at")
            try await database.execute("ALTER TABLE events DROP COLUMN reason_bytes")
            try await database.execute("ALTER TABLE checkpoints DROP COLUMN version, DROP COLUMN frontier, ADD PRIMARY KEY (position)")
            try await database.execute("DELETE FROM apex_schema WHERE version >= 3")
            try await EventStores.withStore(url: database.url, logger: Fixtures.logger) { _ in }
            let backfilled = try await TestPostgres.withClient(database: database.name) { client in
                var same = false
                for try await s in try await client.query(
                    "SELECT h.recorded_at = e.recorded_at FROM store_head h JOIN events e ON e.position = h.position", logger: Fixtures.logger
                ).decode(Bool.self) { same = s }
                return same
            }
            #expect(backfilled)
            try await EventStores.withStore(url: database.url, logger: Fixtures.logger) { store in
                let after = try await store.append([Events.note("after the upgrade")], to: .project(UUID()), expected: .noStream)
                let all = try await store.readAll()
                #expect(all.map(\.position) == [1, 2, 3, 4])
                #expect(after.lastPosition == 4)
                #expect(zip(all, all.dropFirst()).allSatisfy { $0.recordedAt <= $1.recordedAt })
                #expect(try await store.verify().ok)
            }
        }
    }

    @Test
    func anUnreachablePostgresServerFailsPromptlyAsUnavailable() async throws {
        let port = try FreePort.find()
        let url = "postgres://apex:unreachable-secret@127.0.0.1:\(port)/apex"
        // Promptly: the store gives up on its own (its first connection waits 10 s); the deadline
        // only keeps a hang from stalling the suite, and is generous for a loaded machine.
        let error = try await #require(throws: EventStoreError.self) {
            try await withDeadline(.seconds(120)) {
                try await EventStores.withStore(url: url, logger: Fixtures.logger) { _ in }
            }
        }
        #expect(error.code == .unavailable)
        #expect(!error.description.contains("unreachable-secret"))
        #expect(error.message.contains("127.0.0.1:\(port)"))
    }

    // MARK: - Helpers

    private func postgres(_ text: String) throws -> StoreURL.PostgresLocation {
        guard case .postgres(let location) = try StoreURL(text) else { throw FixtureError(description: "\(text) is not a postgres URL") }
        return location
    }

    private func scratchDirectory() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("apex-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

}

struct DeadlineExceeded: Error, CustomStringConvertible {
    let limit: Duration
    var description: String { "did not finish within \(limit)" }
}

/// Runs `body`, failing with ``DeadlineExceeded`` if it takes longer than `limit`.
func withDeadline<T: Sendable>(_ limit: Duration, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
    try await withThrowingTaskGroup(of: T.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: limit)
            throw DeadlineExceeded(limit: limit)
        }
        defer { group.cancelAll() }
        return try await group.next()!
    }
}

/// Opens a store, appends once, waits for graceful shutdown, then appends again before closing:
/// the drain a server's consumers do after the signal.
private struct StoreUser: Service {
    let url: String
    let stream: StreamID

    func run() async throws {
        try await EventStores.withStore(url: url, logger: Fixtures.logger) { store in
            _ = try await store.append([Events.note("before")], to: stream, expected: .noStream)
            try? await gracefulShutdown()
            _ = try await store.append([Events.note("after")], to: stream, expected: .exact(1))
        }
    }
}
