import ApexBackup
import ApexDomain
import ApexStore
import Foundation
import Testing

/// L9: the store, its WAL and shared memory, the data folder, backups and restored stores hold
/// personal data (sealed, beside the keys that open it): only their owner may read them,
/// whatever the umask (the suite runs with the usual 022).
@Suite("Private files: 0600 files, 0700 folders")
struct FilePermissionTests {
    @Test func aNewSQLiteStoreItsWALAndSharedMemoryAndItsFolderAreOwnerOnly() async throws {
        try await BackupFixture.with(.sqlite) { f in
            let folder = f.folder.appendingPathComponent("data/nested").path
            let path = folder + "/apex.sqlite"
            try await EventStores.withStore(url: "sqlite:\(path)", logger: BackupFixture.logger) { store in
                _ = try await BackupFixture.write(2, to: store, label: "p")
                for file in [path, path + "-wal", path + "-shm"] {
                    #expect(FileManager.default.fileExists(atPath: file), "\(file) exists while the store is open")
                    let mode = try fileMode(file)
                    #expect(mode == 0o600, "\(file): \(String(mode, radix: 8))")
                }
            }
            #expect(try fileMode(folder) == 0o700)
            #expect(try fileMode(f.folder.appendingPathComponent("data").path) == 0o700, "intermediate folders too")
        }
    }

    @Test func backupFilesTheirFoldersAndARestoredStoreAreOwnerOnly() async throws {
        try await BackupFixture.with(.sqlite) { f in
            let source = try await f.newStoreURL("source")
            let target = try BackupTargets.open(f.destination)
            let manifest = try await EventStores.withStore(url: source, logger: BackupFixture.logger) { store in
                _ = try await BackupFixture.write(3, to: store, label: "x")
                let manifest = try await BaseBackup(storeURL: source, target: target, logger: BackupFixture.logger).create()
                _ = try await BackupFixture.write(2, to: store, label: "y")
                try await LogShipper(store: store, target: target, logger: BackupFixture.logger).shipOnce()
                return manifest
            }
            let root = f.destination
            #expect(try fileMode(root) == 0o700)
            for key in try await target.list(prefix: "") {
                #expect(try fileMode(root + "/" + key) == 0o600, "\(key)")
            }
            for folder in ["base", "base/\(manifest.id)", "segments"] { #expect(try fileMode(root + "/" + folder) == 0o700, "\(folder)") }

            let restored = f.folder.appendingPathComponent("restored/here").path + "/apex.sqlite"
            _ = try await Restorer(target: target, logger: BackupFixture.logger).restore(into: "sqlite:\(restored)", at: .latest, force: false)
            #expect(try fileMode(restored) == 0o600)
            #expect(try fileMode(URL(fileURLWithPath: restored).deletingLastPathComponent().path) == 0o700)
        }
    }
}
