import Foundation
import Logging
import PostgresNIO

/// Scratch databases on the PostgreSQL server of scripts/with-postgres.sh. Without POSTGRES_*
/// the PostgreSQL cases fail with a message; they never pass silently.
enum ScratchPostgres {
    static let logger: Logger = {
        var logger = Logger(label: "apex.cli.tests")
        logger.logLevel = .error
        return logger
    }()

    static func withDatabase(_ body: (String) async throws -> Void) async throws {
        let env = ProcessInfo.processInfo.environment
        guard let host = env["POSTGRES_HOSTNAME"], let user = env["POSTGRES_USER"], let db = env["POSTGRES_DB"] else {
            throw CLIError(description: "POSTGRES_HOSTNAME/PORT/USER/PASSWORD/DB are not set: run the suite with scripts/test.sh")
        }
        let port = Int(env["POSTGRES_PORT"] ?? "5432") ?? 5432
        let password = env["POSTGRES_PASSWORD"] ?? ""
        let name = "apex_cli_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(12).lowercased()
        func execute(_ sql: String) async throws {
            let configuration = PostgresClient.Configuration(host: host, port: port, username: user, password: password, database: db, tls: .disable)
            let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await client.run() }
                defer { group.cancelAll() }
                _ = try await client.query(PostgresQuery(unsafeSQL: sql), logger: logger)
            }
        }
        try await execute("CREATE DATABASE \(name)")
        do { try await body("postgres://\(user):\(password)@\(host):\(port)/\(name)") } catch {
            try? await execute("DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
            throw error
        }
        try await execute("DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
    }

    /// Runs raw SQL against the database at `url` (to tamper with it).
    static func execute(_ sql: String, url: String) async throws {
        guard let c = URLComponents(string: url) else { throw CLIError(description: "bad URL") }
        let configuration = PostgresClient.Configuration(
            host: c.host!, port: c.port!, username: c.user!, password: c.password, database: String(c.path.dropFirst()), tls: .disable)
        let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            _ = try await client.query(PostgresQuery(unsafeSQL: sql), logger: logger)
        }
    }
}
