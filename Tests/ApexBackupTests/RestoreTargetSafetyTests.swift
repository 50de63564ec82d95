import ApexBackup
import ApexDomain
import ApexStore
import Foundation
import GRDB
import Testing

/// M2: `backup restore` without `--force` replaces only an absent file or a provably empty
/// Apex store; a file that does not open as one (text, a damaged store still holding evidence,
/// another program's database) is left as it is.
@Suite("Backups: what restore may replace")
struct RestoreTargetSafetyTests {
    /// A backup of a store of three events, in `f`'s backup folder.
    static func backup(_ f: BackupFixture) async throws -> any BackupTarget {
        let source = try await f.newStoreURL("source")
        let target = try BackupTargets.open(f.destination)
        try await EventStores.withStore(url: source, logger: BackupFixture.logger) { store in
            _ = try await BackupFixture.write(3, to: store, label: "x")
        }
        _ = try await BaseBackup(storeURL: source, target: target, logger: BackupFixture.logger).create()
        return target
    }

    static func refused(_ target: any BackupTarget, _ path: String) async throws -> BackupError {
        try await #require(throws: BackupError.self) {
            try await Restorer(target: target, logger: BackupFixture.logger).restore(into: "sqlite:\(path)", at: .latest, force: false)
        }
    }

    @Test func aTextFileIsNotReplacedWithoutForce() async throws {
        try await BackupFixture.with(.sqlite) { f in
            let target = try await Self.backup(f)
            let path = f.folder.appendingPathComponent("notes.txt").path
            let text = Data("incident notes: evidence, do not delete\n".utf8)
            try text.write(to: URL(fileURLWithPath: path))
            let error = try await Self.refused(target, path)
            #expect(error.code == .refused)
            #expect(error.message.contains("--force") && error.message.contains("not an Apex store"), "\(error)")
            #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == text, "the file is untouched")
            let forced = try await Restorer(target: target, logger: BackupFixture.logger).restore(into: "sqlite:\(path)", at: .latest, force: true)
            #expect(forced.restoredPosition == 3)
        }
    }

    @Test func aDamagedStoreIsNotReplacedWithoutForce() async throws {
        try await BackupFixture.with(.sqlite) { f in
            let target = try await Self.backup(f)
            // A store with events whose header was damaged: it no longer opens, but holds evidence.
            let damaged = try await f.newStoreURL("damaged")
            try await EventStores.withStore(url: damaged, logger: BackupFixture.logger) { store in
                _ = try await BackupFixture.write(5, to: store, label: "evidence")
            }
            let path = String(damaged.dropFirst("sqlite:".count))
            let handle = try FileHandle(forUpdating: URL(fileURLWithPath: path))
            try handle.write(contentsOf: Data(repeating: 0x5A, count: 100))
            try handle.close()
            let before = try Data(contentsOf: URL(fileURLWithPath: path))
            let error = try await Self.refused(target, path)
            #expect(error.code == .refused && error.message.contains("--force"), "\(error)")
            #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
        }
    }

    @Test func anotherProgramsDatabaseIsNotReplacedWithoutForce() async throws {
        try await BackupFixture.with(.sqlite) { f in
            let target = try await Self.backup(f)
            let path = f.folder.appendingPathComponent("other.sqlite").path
            let queue = try DatabaseQueue(path: path)
            try await queue.write { db in
                try db.execute(sql: "CREATE TABLE notes (text TEXT); INSERT INTO notes VALUES ('keep me')")
            }
            try queue.close()
            let error = try await Self.refused(target, path)
            #expect(error.code == .refused && error.message.contains("--force"), "\(error)")
            let kept = try DatabaseQueue(path: path)
            #expect(try await kept.read { db in try String.fetchOne(db, sql: "SELECT text FROM notes") } == "keep me")
            try kept.close()
        }
    }

    @Test func anEmptyApexStoreOrAnEmptyFileIsReplaced() async throws {
        try await BackupFixture.with(.sqlite) { f in
            let target = try await Self.backup(f)
            let empty = try await f.newStoreURL("empty")
            try await EventStores.withStore(url: empty, logger: BackupFixture.logger) { (store: any EventStore) async throws -> Void in
                #expect(try await store.headPosition() == 0)
                // A feature's full-text table, created on first use as the search index's is: its
                // FTS5 `_config` shadow table holds a row, which is a setting, not content.
                guard case .sqlite(let pool) = store.featureDatabase else { Issue.record("not SQLite"); return }
                try await pool.write { db in try db.execute(sql: "CREATE VIRTUAL TABLE search_text USING fts5(body)") }
            }
            let restored = try await Restorer(target: target, logger: BackupFixture.logger).restore(into: empty, at: .latest, force: false)
            #expect(restored.restoredPosition == 3)

            let blank = f.folder.appendingPathComponent("blank.sqlite").path
            #expect(FileManager.default.createFile(atPath: blank, contents: Data()))
            let intoBlank = try await Restorer(target: target, logger: BackupFixture.logger).restore(into: "sqlite:\(blank)", at: .latest, force: false)
            #expect(intoBlank.restoredPosition == 3)
        }
    }
}
