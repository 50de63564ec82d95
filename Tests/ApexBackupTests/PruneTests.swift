import ApexBackup
import ApexDomain
import ApexStore
import Foundation
import Testing

@Suite("Backups: retention")
struct PruneTests {
    @Test func pruneKeepsTheNewestGoodBackupAndTheSegmentsKeptBackupsNeed() async throws {
        try await BackupFixture.with(.sqlite) { f in
            let source = try await f.newStoreURL("source")
            let target = try BackupTargets.open(f.destination)
            let day: TimeInterval = 86_400
            let now = Date()
            try await EventStores.withStore(url: source, logger: BackupFixture.logger) { store in
                let shipper = LogShipper(store: store, target: target, logger: BackupFixture.logger)
                for (age, count) in [(40.0, 5), (20.0, 5), (1.0, 5)] {
                    _ = try await BackupFixture.write(count, to: store, label: "w\(Int(age))")
                    try await shipper.shipOnce()
                    let taken = now.addingTimeInterval(-age * day)
                    _ = try await BaseBackup(storeURL: source, target: target, logger: BackupFixture.logger, clock: { taken }).create()
                }
                _ = try await BackupFixture.write(3, to: store, label: "tail")
                try await shipper.shipOnce()
            }
            let before = try await Restorer.manifests(in: target)
            #expect(before.map(\.lastPosition) == [5, 10, 15])

            let report = try await Pruner(target: target, logger: BackupFixture.logger).prune(keepDays: 30, keepLast: 1, now: now)
            #expect(report.deletedBackups == [before[0].id])
            #expect(report.keptBackups == [before[1].id, before[2].id])
            let segments = try await LogShipper.segments(in: target)
            // Segments up to the oldest kept backup (position 10) are gone; later ones stay.
            #expect(segments.map(\.to) == [15, 18])
            #expect(report.deletedSegments.count == 2)

            // Even keep-days 0 keeps the newest backup, and a restore still reaches the head.
            let aggressive = try await Pruner(target: target, logger: BackupFixture.logger).prune(keepDays: 0, keepLast: 0, now: now)
            #expect(aggressive.keptBackups == [before[2].id])
            let restored = try await Restorer(target: target, logger: BackupFixture.logger).restore(
                into: try await f.newStoreURL("r"), at: .latest, force: false)
            #expect(restored.restoredPosition == 18)
        }
    }
}
