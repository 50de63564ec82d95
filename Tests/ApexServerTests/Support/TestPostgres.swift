import Foundation
import Logging
import PostgresNIO

/// The PostgreSQL server the test script started (`scripts/with-postgres.sh`); each test gets a
/// scratch database, dropped afterwards. Copied from ApexStoreTests' fixture (test targets
/// cannot share files).
enum TestPostgres {
    struct Settings: Sendable {
        var host: String, port: Int, user: String, password: String, database: String
    }

    /// The server settings, or a failure that says how to run the suite: the PostgreSQL tests never pass silently.
    static func settings() throws -> Settings {
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

    /// Calls `body` with the URL of a fresh, empty database.
    static func withDatabase(_ body: (String) async throws -> Void) async throws {
        let s = try settings()
        let name = "apex_srv_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(16).lowercased()
        try await withClient(s) { client in _ = try await client.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)"), logger: World.logger) }
        let url = "postgres://\(s.user):\(s.password)@\(s.host):\(s.port)/\(name)"
        do {
            try await body(url)
        } catch {
            try? await drop(name, s)
            throw error
        }
        try await drop(name, s)
    }

    private static func drop(_ name: String, _ s: Settings) async throws {
        try await withClient(s) { client in
            _ = try await client.query(PostgresQuery(unsafeSQL: "DROP DATABASE IF EXISTS \(name) WITH (FORCE)"), logger: World.logger)
        }
    }

    private static func withClient<T: Sendable>(_ s: Settings, _ body: (PostgresClient) async throws -> T) async throws -> T {
        let configuration = PostgresClient.Configuration(
            host: s.host, port: s.port, username: s.user, password: s.password, database: s.database, tls: .disable)
        let client = PostgresClient(configuration: configuration, backgroundLogger: World.logger)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            return try await body(client)
        }
    }
}

/// A fixture that cannot be set up, with the reason.
struct FixtureError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
