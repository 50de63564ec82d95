import ApexBackup
import ApexDomain
import ApexStore
import ApexTestSupport
import Foundation
import Logging
import Synchronization
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

/// Scratch databases on the test PostgreSQL server, made as a test asks for them and all
/// dropped at its end.
final class PostgresServer: Sendable {
    let settings: TestPostgres.Settings
    private let created = Mutex<[TestPostgres.Database]>([])

    init() throws { settings = try TestPostgres.settings() }

    var adminURL: String { settings.adminURL }

    func createDatabase() async throws -> String {
        let database = try await TestPostgres.createDatabase()
        created.withLock { $0.append(database) }
        return database.url
    }

    func dropAll() async throws {
        for database in created.withLock({ $0 }) { try await database.drop() }
    }
}
