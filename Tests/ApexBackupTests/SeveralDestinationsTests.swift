import ApexBackup
import ApexDomain
import ApexStore
import Foundation
import Testing

@Suite("Backups: several destinations at once")
struct SeveralDestinationsTests {
    /// One backup and one shipment go to a folder, a bucket that does not exist and a real
    /// bucket (moto): the missing bucket fails alone, and each of the others restores every event.
    @Test func aFailingDestinationIsReportedAndTheOthersStillGetEverything() async throws {
        try await MotoServer.with { server in
            // Listing under "base/" signs a `%2F` in the query, which moto cannot check (see S3TargetTests).
            try await server.disableSignatureChecks()
            let environment = [
                "AWS_ENDPOINT_URL": server.endpoint, "AWS_REGION": "us-east-1",
                "AWS_ACCESS_KEY_ID": server.accessKeyID, "AWS_SECRET_ACCESS_KEY": server.secretAccessKey,
            ]
            try await S3Target.parse("s3://apex-dr/site-b", environment: environment).createBucket()
            let bucket = try BackupTargets.open("s3://apex-dr/site-b", environment: environment)
            let missing = try BackupTargets.open("s3://no-such-bucket/apex", environment: environment)
            try await BackupFixture.with(.sqlite) { f in
                let folder = try BackupTargets.open(f.destination)
                let targets = [folder, missing, bucket]
                let source = try await f.newStoreURL("source")
                let written = try await EventStores.withStore(url: source, logger: BackupFixture.logger) { store -> [UUID] in
                    var ids = try await BackupFixture.write(5, to: store, label: "a")
                    let backup = try await BaseBackup(storeURL: source, targets: targets, logger: BackupFixture.logger).createAtEveryTarget()
                    #expect(backup.destinations.map(\.destination) == targets.map(\.description))
                    #expect(backup.destinations.map(\.ok) == [true, false, true])
                    #expect(!backup.ok)
                    #expect(try backup.destinations[0].result.get() == ["base/\(backup.manifest.id)/store.sqlite.gz", "base/\(backup.manifest.id)/manifest.json"])
                    #expect(Self.code(backup.destinations[1]) == .invalidDestination)

                    ids += try await BackupFixture.write(3, to: store, label: "b")
                    let shipped = await LogShipper.shipOnce(from: store, to: targets, logger: BackupFixture.logger)
                    #expect(shipped.map(\.ok) == [true, false, true])
                    #expect(Self.code(shipped[1]) == .invalidDestination)
                    for outcome in shipped where outcome.ok {
                        #expect(try outcome.result.get().reduce(0) { $0 + $1.count } == 8, "\(outcome.destination)")
                    }
                    return ids
                }
                for (index, target) in [folder, bucket].enumerated() {
                    let restored = try await f.newStoreURL("restored-\(index)")
                    let result = try await Restorer(target: target, logger: BackupFixture.logger).restore(into: restored, at: .latest, force: false)
                    #expect(result.restoredPosition == 8, "\(target)")
                    try await EventStores.withStore(url: restored, logger: BackupFixture.logger) { (store: any EventStore) async throws -> Void in
                        #expect(try await store.readAll(after: 0, limit: 100).map(\.id) == written, "\(target)")
                    }
                }
            }
        }
    }

    /// The single-destination API keeps throwing the destination's error.
    @Test func aSingleDestinationStillThrowsItsFailure() async throws {
        try await BackupFixture.with(.sqlite) { f in
            let source = try await f.newStoreURL("source")
            try await EventStores.withStore(url: source, logger: BackupFixture.logger) { store in
                _ = try await BackupFixture.write(2, to: store, label: "a")
            }
            let blocked = try Self.blockedFolder(in: f.folder)
            let error = await #expect(throws: BackupError.self) {
                try await BaseBackup(storeURL: source, target: blocked, logger: BackupFixture.logger).create()
            }
            #expect(error?.code == .transfer)
        }
    }

    /// A backup folder that cannot be written: `base` and `segments` in it are files, not folders.
    static func blockedFolder(in folder: URL) throws -> any BackupTarget {
        let target = try BackupTargets.open(folder.appendingPathComponent("blocked").path)
        for name in ["base", "segments"] {
            try Data("not a folder".utf8).write(to: folder.appendingPathComponent("blocked/\(name)"))
        }
        return target
    }

    static func code<Value>(_ outcome: Delivery<Value>) -> BackupError.Code? {
        if case .failure(let error) = outcome.result { return error.code }
        return nil
    }
}
