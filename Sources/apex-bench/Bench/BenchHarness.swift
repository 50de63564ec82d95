import ApexCommandLine
import ApexServer
import ApexStore
import Foundation
import Logging
import PostgresNIO

/// The databases a run compares on.
enum StoreKind: String, Sendable, CaseIterable, Codable {
    case sqlite, postgres
}

/// The PostgreSQL server named by `POSTGRES_HOSTNAME`, `POSTGRES_PORT`, `POSTGRES_USER`,
/// `POSTGRES_PASSWORD` and `POSTGRES_DB` (as `scripts/with-postgres.sh` exports them).
struct PostgresTarget: Sendable {
    var host: String
    var port: Int
    var user: String
    var password: String?
    var database: String

    /// The target, or nil when the variables are not set.
    static func fromEnvironment(_ env: [String: String] = ProcessInfo.processInfo.environment) -> PostgresTarget? {
        guard let host = env["POSTGRES_HOSTNAME"], !host.isEmpty, let user = env["POSTGRES_USER"], !user.isEmpty,
            let database = env["POSTGRES_DB"], !database.isEmpty
        else { return nil }
        return PostgresTarget(
            host: host, port: env["POSTGRES_PORT"].flatMap(Int.init) ?? 5432, user: user, password: env["POSTGRES_PASSWORD"],
            database: database)
    }

    /// The `postgres://` store URL of `database` on this server.
    func url(database: String) -> String {
        let secret = password.map { ":" + ($0.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? $0) } ?? ""
        return "postgres://\(user)\(secret)@\(host):\(port)/\(database)"
    }

    func configuration(database: String? = nil) -> PostgresClient.Configuration {
        var c = PostgresClient.Configuration(
            host: host, port: port, username: user, password: password, database: database ?? self.database, tls: .disable)
        c.options.connectTimeout = .seconds(10)
        EventStores.applyPoolOptions(to: &c)  // both sides' pools as a store opened from a URL has it
        return c
    }
}

/// A fresh Apex store and, on the same database with the same settings, the raw baseline.
struct BenchHarness: Sendable {
    let kind: StoreKind
    let store: any EventStore
    let raw: any RawBaseline
    /// The store URL of the scratch database (for a server opening the same store).
    let url: String

    /// Opens a scratch database of `kind` (a folder for SQLite, a new database for PostgreSQL),
    /// runs `body`, and deletes it. The store keeps the read models `apex-cli serve` opens its
    /// store with (``ServerConfiguration/storeProjections``), so appends take the server's path.
    static func with<T: Sendable>(
        _ kind: StoreKind, context: BenchContext, projections: [any Projection] = ServerConfiguration.storeProjections, _ body: (BenchHarness) async throws -> T
    ) async throws -> T {
        switch kind {
        case .sqlite:
            let dir = URL(fileURLWithPath: context.workDirectory).appendingPathComponent("apex-bench-\(UUID().uuidString.prefix(8))")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: dir) }
            let path = dir.appendingPathComponent("apex.sqlite").path
            var configuration = SQLiteEventStore.Configuration()
            configuration.projections = projections
            let store = try SQLiteEventStore(path: path, configuration: configuration)
            let raw = try SQLiteBaseline(path: path)
            do {
                let result = try await body(BenchHarness(kind: kind, store: store, raw: raw, url: "sqlite:\(path)"))
                try raw.close()
                try await store.close()
                return result
            } catch {
                try? raw.close()
                try? await store.close()
                throw error
            }
        case .postgres:
            guard let target = context.postgres else { throw CLIError("PostgreSQL is not configured (set POSTGRES_*)") }
            return try await withPostgres(target, context: context, projections: projections, body)
        }
    }

    private static func withPostgres<T: Sendable>(
        _ target: PostgresTarget, context: BenchContext, projections: [any Projection], _ body: (BenchHarness) async throws -> T
    ) async throws -> T {
        let logger = context.logger
        let admin = PostgresClient(configuration: target.configuration(), backgroundLogger: logger)
        let name = "apex_bench_\(UUID().uuidString.prefix(8).lowercased())"
        return try await withThrowingTaskGroup(of: Void.self) { adminGroup in
            adminGroup.addTask { await admin.run() }
            defer { adminGroup.cancelAll() }
            try await admin.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)"), logger: logger)
            let result: Result<T, any Error>
            do {
                result = .success(try await withThrowingTaskGroup(of: Void.self) { group in
                    let store = PostgresEventStore(configuration: target.configuration(database: name), projections: projections, logger: logger)
                    let rawClient = PostgresClient(configuration: target.configuration(database: name), backgroundLogger: logger)
                    group.addTask { try await store.run() }
                    group.addTask { await rawClient.run() }
                    defer { group.cancelAll() }
                    try await store.migrate()
                    let raw = PostgresBaseline(client: rawClient, logger: logger)
                    try await raw.createTable()
                    return try await body(BenchHarness(kind: .postgres, store: store, raw: raw, url: target.url(database: name)))
                })
            } catch {
                result = .failure(error)
            }
            _ = try? await admin.query(PostgresQuery(unsafeSQL: "DROP DATABASE IF EXISTS \(name) WITH (FORCE)"), logger: logger)
            return try result.get()
        }
    }
}
