import ApexBackup
import ApexDomain
import ApexStore
import Foundation
import Logging
import PostgresNIO
import Testing

enum BackupStoreKind: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite, postgres
    var testDescription: String { rawValue }
}

struct BackupFixtureError: Error, CustomStringConvertible { var description: String }

/// A scratch folder, store URLs of the kind under test, and helpers to write events.
struct BackupFixture {
    static let logger: Logger = {
        var logger = Logger(label: "apex.backup.tests")
        logger.logLevel = .error
        return logger
    }()

    let kind: BackupStoreKind
    let folder: URL
    let server: PostgresServer?

    var destination: String { folder.appendingPathComponent("backups").path }

    /// A fresh store URL (a new SQLite file, or a new PostgreSQL database).
    func newStoreURL(_ name: String) async throws -> String {
        switch kind {
        case .sqlite: return "sqlite:\(folder.path)/\(name)/apex.sqlite"
        case .postgres: return try await server!.createDatabase()
        }
    }

    static func with(_ kind: BackupStoreKind, _ body: (BackupFixture) async throws -> Void) async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("apex-backup-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let server = kind == .postgres ? try PostgresServer() : nil
        do {
            try await body(BackupFixture(kind: kind, folder: folder, server: server))
        } catch {
            try? await server?.dropAll()
            throw error
        }
        try await server?.dropAll()
    }

    /// Appends `count` single-event appends to fresh streams, returning their ids.
    static func write(_ count: Int, to store: any EventStore, account: UUID = UUID(), label: String) async throws -> [UUID] {
        var ids: [UUID] = []
        for i in 0..<count {
            let event = ProposedEvent(id: UUID(), type: "test.note", data: ["text": .string("\(label)-\(i)")], accountID: account, actor: .service("test"))
            _ = try await store.append([event], to: StreamID(rawValue: "note-\(label)-\(i % 3)"), expected: .any)
            ids.append(event.id)
        }
        return ids
    }
}

/// The PostgreSQL server of scripts/with-postgres.sh; creates scratch databases.
final class PostgresServer: @unchecked Sendable {
    let host: String, port: Int, user: String, password: String, database: String
    private var created: [String] = []
    private let lock = NSLock()

    init() throws {
        let env = ProcessInfo.processInfo.environment
        guard let host = env["POSTGRES_HOSTNAME"], let user = env["POSTGRES_USER"], let db = env["POSTGRES_DB"] else {
            throw BackupFixtureError(description: "POSTGRES_HOSTNAME/PORT/USER/PASSWORD/DB are not set: run the suite with scripts/test.sh, which starts a PostgreSQL server")
        }
        self.host = host
        self.port = Int(env["POSTGRES_PORT"] ?? "5432") ?? 5432
        self.user = user
        self.password = env["POSTGRES_PASSWORD"] ?? ""
        self.database = db
    }

    var adminURL: String { url(database) }
    func url(_ db: String) -> String { "postgres://\(user):\(password)@\(host):\(port)/\(db)" }

    func createDatabase() async throws -> String {
        let name = "apex_bk_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(12).lowercased()
        try await execute("CREATE DATABASE \(name)")
        lock.withLock { created.append(name) }
        return url(name)
    }

    func dropAll() async throws {
        for name in lock.withLock({ created }) { try await execute("DROP DATABASE IF EXISTS \(name) WITH (FORCE)") }
    }

    func execute(_ sql: String) async throws {
        let configuration = PostgresClient.Configuration(host: host, port: port, username: user, password: password, database: database, tls: .disable)
        let client = PostgresClient(configuration: configuration, backgroundLogger: BackupFixture.logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            _ = try await client.query(PostgresQuery(unsafeSQL: sql), logger: BackupFixture.logger)
        }
    }
}
