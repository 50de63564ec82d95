import ApexBackup
import ApexDomain
import ApexStore
import Foundation
import Testing

@Suite("Backups: S3 round trip")
struct BackupS3Tests {
    @Test func aBackupShippedToS3RestoresAndPassesTheDrill() async throws {
        try await MotoServer.with { server in
            // Listing under "base/" signs a `%2F` in the query, which moto cannot check (see S3TargetTests).
            try await server.disableSignatureChecks()
            let environment = [
                "AWS_ENDPOINT_URL": server.endpoint, "AWS_REGION": "us-east-1",
                "AWS_ACCESS_KEY_ID": server.accessKeyID, "AWS_SECRET_ACCESS_KEY": server.secretAccessKey,
            ]
            let s3 = try S3Target.parse("s3://apex-dr/site-a", environment: environment)
            try await s3.createBucket()
            let target = try BackupTargets.open("s3://apex-dr/site-a", environment: environment)
            try await BackupFixture.with(.sqlite) { f in
                let source = try await f.newStoreURL("source")
                let written = try await EventStores.withStore(url: source, logger: BackupFixture.logger) { store -> [UUID] in
                    var ids = try await BackupFixture.write(6, to: store, label: "a")
                    _ = try await BaseBackup(storeURL: source, target: target, logger: BackupFixture.logger).create()
                    ids += try await BackupFixture.write(4, to: store, label: "b")
                    try await LogShipper(store: store, target: target, logger: BackupFixture.logger).shipOnce()
                    return ids
                }
                let restored = try await f.newStoreURL("restored")
                let result = try await Restorer(target: target, logger: BackupFixture.logger).restore(into: restored, at: .latest, force: false)
                #expect(result.restoredPosition == 10)
                try await EventStores.withStore(url: restored, logger: BackupFixture.logger) { (store: any EventStore) async throws -> Void in
                    #expect(try await store.readAll(after: 0, limit: 100).map(\.id) == written)
                }
                let drill = try await RestoreDrill(target: target, postgresServer: nil, logger: BackupFixture.logger).run()
                #expect(drill.ok, "\(drill.checks.filter { !$0.ok })")
            }
        }
    }
}
