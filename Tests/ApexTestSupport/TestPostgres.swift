import ApexChildProcess
package import Foundation
package import Logging
package import PostgresNIO

/// The PostgreSQL server the test script started (`scripts/with-postgres.sh`), and scratch
/// databases on it, dropped afterwards. Without `POSTGRES_*` the PostgreSQL tests fail with a
/// message that says how to run them: they never pass silently.
package enum TestPostgres {
    /// Where the server is, from `POSTGRES_HOSTNAME`, `_PORT`, `_USER`, `_PASSWORD` and `_DB`.
    package struct Settings: Sendable {
        package var host: String, port: Int, user: String, password: String, database: String

        /// The URL of `database` on this server (the store's `postgres://` form).
        package func url(_ database: String) -> String { "postgres://\(user):\(password)@\(host):\(port)/\(database)" }
        /// The URL of the database the script created, for tools that create their own.
        package var adminURL: String { url(database) }
    }

    /// A quiet logger for the fixture's own connections.
    package static let logger: Logger = {
        var logger = Logger(label: "apex.tests.postgres")
        logger.logLevel = .error
        return logger
    }()

    /// The server settings, or a failure that says how to run the suite.
    package static func settings() throws -> Settings {
        let env = ProcessInfo.processInfo.environment
        guard let host = env["POSTGRES_HOSTNAME"], let user = env["POSTGRES_USER"], let db = env["POSTGRES_DB"] else {
            throw FixtureError(
                "POSTGRES_HOSTNAME/PORT/USER/PASSWORD/DB are not set: run the suite with scripts/test.sh (or scripts/with-postgres.sh swift test), which starts a PostgreSQL server"
            )
        }
        return Settings(
            host: host, port: Int(env["POSTGRES_PORT"] ?? "5432") ?? 5432, user: user, password: env["POSTGRES_PASSWORD"] ?? "",
            database: db)
    }

    /// A scratch database.
    package struct Database: Sendable {
        package let settings: Settings
        package let name: String

        /// The database called `name` on the test server (one a test made earlier).
        package init(name: String) throws {
            self.settings = try TestPostgres.settings()
            self.name = name
        }

        /// Its `postgres://` URL.
        package var url: String { settings.url(name) }

        /// Runs raw SQL in it, bypassing any store (to tamper with it).
        package func execute(_ sql: String) async throws {
            try await TestPostgres.withClient(database: name) { client in
                _ = try await client.query(PostgresQuery(unsafeSQL: sql), logger: TestPostgres.logger)
            }
        }

        /// Everything it holds, as `pg_dump` prints it.
        package func dump() async throws -> Data {
            let bin = ProcessInfo.processInfo.environment["APEX_PG_BIN"] ?? "/usr/lib/postgresql/15/bin"
            let outcome = try await ChildProcess.run(
                "\(bin)/pg_dump", ["-h", settings.host, "-p", String(settings.port), "-U", settings.user, "--no-owner", name],
                adding: ["PGPASSWORD": settings.password], outputLimit: 256 << 20)
            guard outcome.status == 0 else { throw FixtureError("pg_dump failed: \(outcome.errors)") }
            return Data(outcome.output.utf8)
        }

        /// Drops it, closing whatever connections are still open to it.
        package func drop() async throws {
            try await TestPostgres.withClient { client in
                _ = try await client.query(PostgresQuery(unsafeSQL: "DROP DATABASE IF EXISTS \(name) WITH (FORCE)"), logger: TestPostgres.logger)
            }
        }
    }

    /// Calls `body` with a client connected to `database` (by default the script's own).
    package static func withClient<T: Sendable>(database: String? = nil, _ body: (PostgresClient) async throws -> T) async throws -> T {
        let s = try settings()
        let configuration = PostgresClient.Configuration(
            host: s.host, port: s.port, username: s.user, password: s.password, database: database ?? s.database, tls: .disable)
        let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            return try await body(client)
        }
    }

    /// A new, empty database; the caller drops it.
    package static func createDatabase() async throws -> Database {
        let database = try Database(name: "apex_t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(16).lowercased())
        try await withClient { client in
            _ = try await client.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(database.name)"), logger: logger)
        }
        return database
    }

    /// Calls `body` with a fresh, empty database, dropped afterwards whether `body` throws or not.
    package static func withDatabase<T>(_ body: (Database) async throws -> T) async throws -> T {
        let database = try await createDatabase()
        let value: T
        do {
            value = try await body(database)
        } catch {
            try? await database.drop()
            throw error
        }
        try await database.drop()
        return value
    }
}
