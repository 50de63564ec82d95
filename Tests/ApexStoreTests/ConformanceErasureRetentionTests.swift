import ApexDomain
import ApexStore
import Foundation
import Logging
import Testing

/// Erasing a user deletes their identity key and the keys of their own requests' metadata, and
/// nobody else's; the retention job expires exactly the months past each account's retention,
/// records it, and never touches an event (verify passes).
@Suite("Conformance: erasure and metadata retention")
struct ConformanceErasureRetentionTests {
    static func created(_ account: UUID, owner: UUID) throws -> ProposedEvent {
        try ProposedEvent(
            id: UUID(), AccountCreated(accountID: account, name: "Acme", ownerID: owner, ownerName: "Olive", ownerEmail: "olive@acme.example"),
            accountID: account, actor: .service("tests"))
    }

    static func edit(_ account: UUID, by user: UUID, ip: String) -> ProposedEvent {
        ProposedEvent(
            id: UUID(), type: "test.note", data: ["text": "edit"], accountID: account, actor: .user(user),
            requestMetadata: RequestMetadata(ipAddress: ip, userAgent: "agent of \(ip)"))
    }

    @Test(arguments: StoreKind.allCases)
    func erasingAUserDeletesTheirIdentityAndTheirOwnMetadataKeysOnly(kind: StoreKind) async throws {
        try await Fixtures.withStore(kind) { f in
            let account = UUID(), erased = UUID(), kept = UUID()
            _ = try await f.store.append([try Self.created(account, owner: erased)], to: .account(account), expected: .noStream)
            let stream = StreamID.project(UUID())
            _ = try await f.store.append([Self.edit(account, by: erased, ip: "203.0.113.1"), Self.edit(account, by: kept, ip: "203.0.113.2")], to: stream, expected: .noStream)

            let deleted = try await f.store.eraseUser(erased, account: account)
            #expect(deleted == 2)  // user:<id> and this month's meta:<account>:<month>:<id>
            let events = try await f.store.readStream(stream)
            #expect(events[0].requestMetadata.ipAddress?.content == .erased)
            #expect(events[0].requestMetadata.userAgent?.display == "[erased]")
            #expect(events[1].requestMetadata.ipAddress?.plaintext == "203.0.113.2")
            let owner = try await f.store.readStream(.account(account))[0].payload(as: AccountCreated.self)
            #expect(owner.ownerName.content == .erased)
            #expect(try await f.store.verify().ok)
            #expect(try await f.store.eraseUser(erased, account: account) == 0)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func retentionExpiresMonthsPastEachAccountsRetentionAndRecordsIt(kind: StoreKind) async throws {
        let clock = TestClock(Timestamp.parse("2026-01-10T12:00:00Z")!)
        try await Fixtures.withStore(kind, clock: { clock.now }) { f in
            let short = UUID(), long = UUID(), user = UUID()
            _ = try await f.store.append([try Self.created(short, owner: user)], to: .account(short), expected: .noStream)
            _ = try await f.store.append([try Self.created(long, owner: UUID())], to: .account(long), expected: .noStream)
            let state = try AccountState.replay(try await f.store.readStream(.account(short)))
            let retention = try AccountDecider.decide(.setRetention(days: 30), state: state, context: DecisionContext(now: clock.now))
            _ = try await f.store.append(retention.map { $0.proposed(id: UUID(), accountID: short, actor: .service("tests")) }, to: .account(short), expected: .exact(1))
            let (shortStream, longStream) = (StreamID.project(UUID()), StreamID.project(UUID()))
            _ = try await f.store.append([Self.edit(short, by: user, ip: "198.51.100.1")], to: shortStream, expected: .any)
            _ = try await f.store.append([Self.edit(long, by: user, ip: "198.51.100.2")], to: longStream, expected: .any)
            clock.now = Timestamp.parse("2026-02-20T12:00:00Z")!
            _ = try await f.store.append([Self.edit(short, by: user, ip: "198.51.100.3")], to: shortStream, expected: .any)
            clock.now = Timestamp.parse("2026-03-05T12:00:00Z")!
            _ = try await f.store.append([Self.edit(short, by: user, ip: "198.51.100.4")], to: shortStream, expected: .any)

            // 30 days before 2026-03-05 is 2026-02-03: January's keys go, February (the cutoff's month) stays.
            let job = MetadataRetention(store: f.store, logger: Logger(label: "tests"))
            let expired = try await job.run(now: clock.now)
            #expect(expired.map(\.account) == [short])
            #expect(expired.first?.keptFrom == "2026-02")
            #expect(expired.first?.keysDeleted == 1)
            let ips = try await f.store.readStream(shortStream).map { $0.requestMetadata.ipAddress?.display }
            #expect(ips == ["[erased]", "198.51.100.3", "198.51.100.4"])
            // The account with the default 365 days keeps January.
            #expect(try await f.store.readStream(longStream)[0].requestMetadata.ipAddress?.plaintext == "198.51.100.2")

            let recorded = try await f.store.readStream(.account(short)).last
            #expect(recorded?.type == AccountMetadataExpired.type)
            #expect(recorded?.data == ["before_month": "2026-02", "keys_deleted": 1])
            #expect(try AccountState.replay(try await f.store.readStream(.account(short))).metadataKeptFrom == "2026-02")
            // Again: nothing more to expire, nothing recorded.
            #expect(try await job.run(now: clock.now).isEmpty)
            #expect(try await f.store.readStream(.account(short)).count == 3)
            #expect(try await f.store.verify().ok)
        }
    }
}
