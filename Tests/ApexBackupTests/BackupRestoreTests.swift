import ApexBackup
import ApexDomain
import ApexStore
import Foundation
import Testing

@Suite("Backups: create, ship, restore, drill")
struct BackupRestoreTests {
    @Test(arguments: BackupStoreKind.allCases)
    func aBackupTakenWhileWritesRunRestoresToIdenticalChainHeads(kind: BackupStoreKind) async throws {
        try await BackupFixture.with(kind) { f in
            let source = try await f.newStoreURL("source")
            let target = try BackupTargets.open(f.destination)
            let sourceHeads = try await EventStores.withStore(url: source, logger: BackupFixture.logger) { store in
                _ = try await BackupFixture.write(20, to: store, label: "before")
                // Writers keep appending while the base backup is taken.
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask { _ = try await BackupFixture.write(60, to: store, label: "during") }
                    group.addTask {
                        try await Task.sleep(for: .milliseconds(20))
                        _ = try await BaseBackup(storeURL: source, target: target, logger: BackupFixture.logger).create()
                    }
                    try await group.waitForAll()
                }
                try await LogShipper(store: store, target: target, logger: BackupFixture.logger).shipOnce()
                return try await store.streamHeads()
            }
            let manifest = try #require(try await Restorer.manifests(in: target).first)
            #expect(manifest.lastPosition >= 20)
            #expect(manifest.storeKind == kind.rawValue)

            let restoredURL = try await f.newStoreURL("restored")
            let result = try await Restorer(target: target, logger: BackupFixture.logger).restore(into: restoredURL, at: .latest, force: false)
            #expect(result.restoredPosition == 80)
            try await EventStores.withStore(url: restoredURL, logger: BackupFixture.logger) { (store: any EventStore) async throws -> Void in
                #expect(try await store.streamHeads() == sourceHeads)
                #expect(try await store.verify(options: VerifyOptions(inspect: DomainReplay().inspect)).ok)
            }
            let drill = try await RestoreDrill(target: target, postgresServer: try f.server.map { try Self.location($0.adminURL) }, logger: BackupFixture.logger).run()
            #expect(drill.ok, "\(drill.checks.filter { !$0.ok })")
            #expect(drill.restoredPosition == 80)
        }
    }

    @Test(arguments: BackupStoreKind.allCases)
    func pointInTimeRestoreGivesExactlyTheEventsBeforeTheTime(kind: BackupStoreKind) async throws {
        try await BackupFixture.with(kind) { f in
            let source = try await f.newStoreURL("source")
            let target = try BackupTargets.open(f.destination)
            let (before, cut) = try await EventStores.withStore(url: source, logger: BackupFixture.logger) { store -> ([UUID], Date) in
                _ = try await BaseBackup(storeURL: source, target: target, logger: BackupFixture.logger).create()
                let before = try await BackupFixture.write(7, to: store, label: "a")
                try await Task.sleep(for: .milliseconds(30))
                let cut = Date()
                try await Task.sleep(for: .milliseconds(30))
                _ = try await BackupFixture.write(5, to: store, label: "b")
                try await LogShipper(store: store, target: target, logger: BackupFixture.logger, maxEventsPerSegment: 4).shipOnce()
                return (before, cut)
            }
            let restoredURL = try await f.newStoreURL("pitr")
            let result = try await Restorer(target: target, logger: BackupFixture.logger).restore(into: restoredURL, at: .time(cut), force: false)
            #expect(result.restoredPosition == 7)
            try await EventStores.withStore(url: restoredURL, logger: BackupFixture.logger) { (store: any EventStore) async throws -> Void in
                #expect(try await store.readAll(after: 0, limit: 100).map(\.id) == before)
                #expect(try await store.verify().ok)
            }
            let byPosition = try await f.newStoreURL("pos")
            let at3 = try await Restorer(target: target, logger: BackupFixture.logger).restore(into: byPosition, at: .position(3), force: false)
            #expect(at3.restoredPosition == 3)
        }
    }

    @Test func restoreRefusesANonEmptyStoreWithoutForce() async throws {
        try await BackupFixture.with(.sqlite) { f in
            let source = try await f.newStoreURL("source")
            let target = try BackupTargets.open(f.destination)
            try await EventStores.withStore(url: source, logger: BackupFixture.logger) { store in
                _ = try await BackupFixture.write(3, to: store, label: "x")
            }
            _ = try await BaseBackup(storeURL: source, target: target, logger: BackupFixture.logger).create()
            let error = try await #require(throws: BackupError.self) {
                try await Restorer(target: target, logger: BackupFixture.logger).restore(into: source, at: .latest, force: false)
            }
            #expect(error.code == .refused)
            let forced = try await Restorer(target: target, logger: BackupFixture.logger).restore(into: source, at: .latest, force: true)
            #expect(forced.restoredPosition == 3)
        }
    }

    @Test func aCorruptedBackupFailsTheDrill() async throws {
        try await BackupFixture.with(.sqlite) { f in
            let source = try await f.newStoreURL("source")
            let target = try BackupTargets.open(f.destination)
            try await EventStores.withStore(url: source, logger: BackupFixture.logger) { store in
                _ = try await BackupFixture.write(10, to: store, label: "x")
                _ = try await BaseBackup(storeURL: source, target: target, logger: BackupFixture.logger).create()
                _ = try await BackupFixture.write(5, to: store, label: "y")
                try await LogShipper(store: store, target: target, logger: BackupFixture.logger).shipOnce()
            }
            #expect(try await RestoreDrill(target: target, postgresServer: nil, logger: BackupFixture.logger).run().ok)

            // A flipped byte in a segment: its SHA-256 no longer matches.
            let segment = try #require(try await LogShipper.segments(in: target).first)
            var data = try await target.get(segment.dataKey)
            data[data.count / 2] ^= 0x01
            try await target.put(segment.dataKey, data)
            let drill = try await RestoreDrill(target: target, postgresServer: nil, logger: BackupFixture.logger).run()
            #expect(!drill.ok)
            #expect(drill.checks.contains { $0.name == "restore" && !$0.ok && $0.detail.contains("SHA-256") })

            // A flipped byte in the base backup file: caught before restoring.
            let manifest = try #require(try await Restorer.manifests(in: target).first)
            let key = "base/\(manifest.id)/\(manifest.files[0].name)"
            var base = try await target.get(key)
            base[base.count / 3] ^= 0x01
            try await target.put(key, base)
            let second = try await RestoreDrill(target: target, postgresServer: nil, logger: BackupFixture.logger).run()
            #expect(!second.ok)
            #expect(second.checks.contains { $0.name.hasPrefix("sha256 base/") && !$0.ok })
        }
    }

    @Test func erasuresRecordedAfterABackupStayInForceAfterRestore() async throws {
        try await BackupFixture.with(.sqlite) { f in
            let source = try await f.newStoreURL("source")
            let target = try BackupTargets.open(f.destination)
            let account = UUID(), owner = UUID()
            try await EventStores.withStore(url: source, logger: BackupFixture.logger) { store in
                let created = try ProposedEvent(
                    id: UUID(), AccountCreated(accountID: account, name: "Acme", ownerID: owner, ownerName: "Olive", ownerEmail: "olive@example.com"),
                    accountID: account, actor: .service("test"))
                _ = try await store.append([created], to: .account(account), expected: .noStream)
                // A request the owner made: its IP address is sealed under the owner's metadata key.
                let edit = try ProposedEvent(
                    id: UUID(), UserPELicenseChanged(userID: owner, peLicense: nil), accountID: account, actor: .user(owner),
                    requestMetadata: RequestMetadata(ipAddress: "203.0.113.44", userAgent: "OwnerAgent"))
                _ = try await store.append([edit], to: .account(account), expected: .exact(1))
                _ = try await BaseBackup(storeURL: source, target: target, logger: BackupFixture.logger).create()
                let erased = try ProposedEvent(id: UUID(), UserErased(userID: owner), accountID: account, actor: .service("test"), reason: "GDPR request")
                _ = try await store.append([erased], to: .account(account), expected: .exact(2))
                #expect(try await store.eraseUser(owner, account: account) == 2)
                try await LogShipper(store: store, target: target, logger: BackupFixture.logger).shipOnce()
            }
            let restoredURL = try await f.newStoreURL("restored")
            let result = try await Restorer(target: target, logger: BackupFixture.logger).restore(into: restoredURL, at: .latest, force: false)
            #expect(result.erasuresReapplied == 2)
            try await EventStores.withStore(url: restoredURL, logger: BackupFixture.logger) { (store: any EventStore) async throws -> Void in
                let payload = try await store.readStream(.account(account))[0].payload(as: AccountCreated.self)
                #expect(payload.ownerName.content == .erased)
                let edit = try await store.readStream(.account(account))[1]
                #expect(edit.requestMetadata.ipAddress?.content == .erased)
                #expect(edit.requestMetadata.userAgent?.content == .erased)
                #expect(try await store.verify().ok)
            }
            // Restoring to a point before the erasure does not bring the person back either.
            let earlier = try await f.newStoreURL("earlier")
            let before = try await Restorer(target: target, logger: BackupFixture.logger).restore(into: earlier, at: .position(2), force: false)
            #expect(before.restoredPosition == 2)
            try await EventStores.withStore(url: earlier, logger: BackupFixture.logger) { (store: any EventStore) async throws -> Void in
                let payload = try await store.readStream(.account(account))[0].payload(as: AccountCreated.self)
                #expect(payload.ownerEmail.content == .erased)
                #expect(try await store.readStream(.account(account))[1].requestMetadata.ipAddress?.content == .erased)
            }
        }
    }

    static func location(_ url: String) throws -> StoreURL.PostgresLocation {
        guard case .postgres(let location) = try StoreURL(url) else { throw BackupFixtureError(description: "not a postgres URL") }
        return location
    }
}
