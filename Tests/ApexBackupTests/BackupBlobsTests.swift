import ApexBackup
import ApexDomain
import ApexFiles
import ApexStore
import Foundation
import NIOCore
import Testing

/// File blobs travel with backups: a base backup carries the blobs of the events it holds, a
/// shipped segment those of its events, and a restore writes every one back, checked by hash; a
/// blob missing or altered in the backup fails the restore and the drill.
@Suite("Backups carry file blobs")
struct BackupBlobsTests {
    /// Stores `bytes` in `blobs` and records a `file.uploaded` revision naming them.
    static func upload(_ bytes: String, blobs: any BlobStore, to store: any EventStore) async throws -> String {
        let writer = try await blobs.makeWriter()
        try await writer.write(ByteBuffer(string: bytes))
        let blob = try await writer.commit()
        let uploaded = FileUploaded(
            fileID: UUID(), revision: 1,
            content: FileContent(name: "sheet.pdf", contentType: "application/pdf", size: blob.size, sha256: blob.sha256), status: .unscanned)
        let event = try uploaded.draft().proposed(id: UUID(), accountID: UUID(), actor: .service("test"))
        _ = try await store.append([event], to: .project(UUID()), expected: .noStream)
        return blob.sha256
    }

    /// A source store with one blob before its base backup and one shipped after it.
    static func backedUp(_ f: BackupFixture) async throws -> (target: any BackupTarget, shas: [String]) {
        let source = try await f.newStoreURL("source")
        let target = try BackupTargets.open(f.destination)
        let blobs = LocalBlobStore(root: f.folder.appendingPathComponent("source-blobs"))
        let shas = try await EventStores.withStore(url: source, logger: BackupFixture.logger) { store in
            let first = try await upload("the base backup's drawing", blobs: blobs, to: store)
            var backup = BaseBackup(storeURL: source, target: target, logger: BackupFixture.logger)
            backup.blobs = BackupBlobs(blobs)
            let result = try await backup.createAtEveryTarget()
            #expect(result.ok && result.blobsLost.isEmpty)
            #expect(result.manifest.blobs == 1)
            let second = try await upload("a revision shipped later", blobs: blobs, to: store)
            _ = try await LogShipper(store: store, target: target, logger: BackupFixture.logger, blobs: BackupBlobs(blobs)).shipOnce()
            return [first, second]
        }
        return (target, shas)
    }

    @Test(arguments: BackupStoreKind.allCases)
    func aRestoreBringsBackEveryBlobCheckedByHash(kind: BackupStoreKind) async throws {
        try await BackupFixture.with(kind) { f in
            let (target, shas) = try await Self.backedUp(f)
            #expect(Set(try await target.list(prefix: "blobs/")) == Set(shas.map { "blobs/\($0)" }))

            let restoredBlobs = LocalBlobStore(root: f.folder.appendingPathComponent("restored-blobs"))
            var restorer = Restorer(target: target, logger: BackupFixture.logger)
            restorer.blobs = BackupBlobs(restoredBlobs)
            let result = try await restorer.restore(into: try await f.newStoreURL("restored"), at: .latest, force: false)
            #expect(result.blobsRestored == 2)
            for sha in shas { #expect(try await restoredBlobs.check(sha) == .intact) }

            let drill = try await RestoreDrill(target: target, postgresServer: try f.server.map { try BackupRestoreTests.location($0.adminURL) }, logger: BackupFixture.logger).run()
            #expect(drill.ok, "\(drill.checks.filter { !$0.ok })")
            #expect(drill.checks.contains { $0.name == "file blobs" && $0.detail.hasPrefix("2 blobs") })
        }
    }

    @Test(arguments: ["altered", "missing"])
    func aBlobAlteredOrMissingInTheBackupFailsTheRestoreAndTheDrill(damage: String) async throws {
        try await BackupFixture.with(.sqlite) { f in
            let (target, shas) = try await Self.backedUp(f)
            let file = URL(fileURLWithPath: f.destination).appendingPathComponent("blobs/\(shas[1])")
            if damage == "altered" {
                try Data("a revision shipped later!".utf8).write(to: file)
            } else {
                try FileManager.default.removeItem(at: file)
            }
            var restorer = Restorer(target: target, logger: BackupFixture.logger)
            restorer.blobs = BackupBlobs(LocalBlobStore(root: f.folder.appendingPathComponent("restored-blobs")))
            let error = try await #require(throws: BackupError.self) {
                try await restorer.restore(into: try await f.newStoreURL("restored"), at: .latest, force: false)
            }
            #expect(error.code == (damage == "altered" ? .corrupt : .notFound))
            #expect(error.message.contains(shas[1]))

            let drill = try await RestoreDrill(target: target, postgresServer: nil, logger: BackupFixture.logger).run()
            #expect(!drill.ok)
            #expect(drill.checks.contains { $0.name == "restore" && !$0.ok && $0.detail.contains(shas[1]) })
        }
    }

    /// A blob the blob store already lost cannot be backed up: the events still are, and the
    /// result names the blob instead of reporting success.
    @Test func aBlobLostBeforeTheBackupIsNamedAndTheBackupIsNotOK() async throws {
        try await BackupFixture.with(.sqlite) { f in
            let source = try await f.newStoreURL("source")
            let root = f.folder.appendingPathComponent("source-blobs")
            let blobs = LocalBlobStore(root: root)
            let sha = try await EventStores.withStore(url: source, logger: BackupFixture.logger) { store in
                try await Self.upload("soon lost", blobs: blobs, to: store)
            }
            for path in try FileManager.default.subpathsOfDirectory(atPath: root.path) where path.hasSuffix(sha) {
                try FileManager.default.removeItem(at: root.appendingPathComponent(path))
            }
            var backup = BaseBackup(storeURL: source, target: try BackupTargets.open(f.destination), logger: BackupFixture.logger)
            backup.blobs = BackupBlobs(blobs)
            let result = try await backup.createAtEveryTarget()
            #expect(!result.ok)
            let delivered = result.destinations.allSatisfy { $0.ok }
            #expect(delivered, "the events are backed up all the same")
            #expect(result.blobsLost.count == 1 && result.blobsLost[0].contains(sha))
        }
    }
}
