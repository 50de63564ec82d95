import ApexDomain
import ApexStore
import Crypto
import Foundation
import Testing

/// `verify` checks everything, whatever it finds: every tampered row and checkpoint is named,
/// each in its stream or at its checkpoint, and an account's own verify sees only its streams.
@Suite("Conformance: verify reports every failure")
struct ConformanceVerifyAllTests {
    static func events(_ count: Int, account: UUID, prefix: String = "n") -> [ProposedEvent] {
        (0..<count).map { i in
            ProposedEvent(id: UUID(), type: "test.note", data: ["text": .string("\(prefix)\(i)")], accountID: account, actor: .user(Events.user))
        }
    }

    /// Two altered events in two streams and one forged checkpoint: all three are named, in
    /// log order, with their counts; the checkpoint after the forged one still verifies.
    @Test(arguments: StoreKind.sql)
    func verifyNamesEveryTamperedRowAndCheckpoint(kind: StoreKind) async throws {
        try await Fixtures.withStore(kind) { f in
            let key = Curve25519.Signing.PrivateKey()
            let (a, b) = (StreamID.project(UUID()), StreamID.project(UUID()))
            _ = try await f.store.append(Events.notes(3), to: a, expected: .noStream)  // 1-3
            _ = try await f.store.append(Events.notes(3), to: b, expected: .noStream)  // 4-6
            try await f.store.sealCheckpoint(signer: key)  // at 6
            _ = try await f.store.append(Events.notes(2), to: a, expected: .any)  // 7-8
            _ = try await f.store.append(Events.notes(2), to: b, expected: .any)  // 9-10
            try await f.store.sealCheckpoint(signer: key)  // at 10
            #expect(try await f.store.verify().ok)

            try await f.disableAppendOnlyTriggers()
            try await f.execute(
                kind == .sqlite
                    ? "UPDATE events SET data = '{\"text\":\"forged\"}' WHERE position = 2"
                    : "UPDATE events SET data = '{\"text\":\"forged\"}'::json WHERE position = 2")
            try await f.execute("UPDATE events SET reason = 'rewritten later' WHERE position = 9")
            try await f.execute("UPDATE checkpoints SET digest = '\(String(repeating: "f", count: 64))' WHERE position = 6")

            let report = try await f.store.verify()
            #expect(!report.ok)
            #expect(report.eventsChecked == 10)
            #expect(report.checkpointsChecked == 2)
            #expect(report.streamsChecked == 2)
            #expect(report.failureCount == 4)
            #expect(report.streamsFailed == 2)
            #expect(report.checkpointsFailed == 1)
            let named = report.failures.map { "\($0.kind)@\($0.position ?? 0):\($0.stream ?? "-")" }
            #expect(named == [
                "hash_mismatch@2:\(a.rawValue)", "checkpoint_digest@6:-", "checkpoint_signature@6:-", "hash_mismatch@9:\(b.rawValue)",
            ])
            #expect(report.firstFailure == report.failures.first)
            #expect(report.failures[3].version == 4)

            // The list is bounded; the counts are not.
            let bounded = try await f.store.verify(options: VerifyOptions(maximumFailures: 2))
            #expect(bounded.failures.count == 2)
            #expect(bounded.failureCount == 4)

            // The JSON names them all too.
            let json = try CanonicalJSON.value(of: report)
            #expect(json["failures_total"] == 4)
            #expect(json["failures"]?.arrayValue?.count == 4)
            #expect(json["first_failure"]?["position"] == 2)
        }
    }

    /// A broken link early in a stream does not hide a later one: each is named.
    @Test(arguments: StoreKind.sql)
    func verifyGoesOnPastADeletedEventAndAWrongHead(kind: StoreKind) async throws {
        try await Fixtures.withStore(kind) { f in
            let (a, b) = (StreamID.project(UUID()), StreamID.project(UUID()))
            _ = try await f.store.append(Events.notes(4), to: a, expected: .noStream)  // 1-4
            _ = try await f.store.append(Events.notes(2), to: b, expected: .noStream)  // 5-6
            try await f.disableAppendOnlyTriggers()
            try await f.execute("DELETE FROM events WHERE position = 2")
            try await f.execute("UPDATE streams SET version = 9 WHERE stream_id = '\(b.rawValue)'")
            let report = try await f.store.verify()
            #expect(report.eventsChecked == 5)
            let named = report.failures.map { "\($0.kind)@\($0.stream ?? "-")" }
            #expect(named == ["position_gap@\(a.rawValue)", "version_gap@\(a.rawValue)", "head_mismatch@\(b.rawValue)"])
            #expect(report.streamsFailed == 2)
        }
    }

    /// An account's verify reads its own streams only: another account's tampering, events
    /// and streams are not in it; that account's own verify names the failure.
    @Test(arguments: StoreKind.sql)
    func anAccountsVerifyCoversItsOwnStreamsOnly(kind: StoreKind) async throws {
        try await Fixtures.withStore(kind) { f in
            let (accountA, accountB) = (UUID(), UUID())
            let (a1, a2, b1) = (StreamID.account(accountA), StreamID.project(UUID()), StreamID.project(UUID()))
            _ = try await f.store.append(Self.events(2, account: accountA), to: a1, expected: .noStream)
            _ = try await f.store.append(Self.events(3, account: accountB), to: b1, expected: .noStream)
            _ = try await f.store.append(Self.events(3, account: accountA), to: a2, expected: .noStream)
            try await f.store.sealCheckpoint(signer: Curve25519.Signing.PrivateKey())
            try await f.disableAppendOnlyTriggers()
            try await f.execute("UPDATE events SET reason = 'rewritten later' WHERE position = 4")

            let mine = try await f.store.verify(account: accountA)
            #expect(mine.ok, "\(mine.failures)")
            #expect(mine.scope == .account)
            #expect(mine.eventsChecked == 5)
            #expect(mine.streamsChecked == 2)
            // The checkpoint seals the stored hashes, which the rewritten reason left alone.
            #expect(mine.checkpointsChecked == 1)

            let theirs = try await f.store.verify(account: accountB)
            #expect(!theirs.ok)
            #expect(theirs.eventsChecked == 3)
            #expect(theirs.failures.map(\.kind) == ["hash_mismatch"])
            #expect(theirs.failures.first?.stream == b1.rawValue)
            #expect(theirs.failures.first?.version == 2)

            // The whole store, for the operator, names it as well.
            #expect(try await f.store.verify().failures.map(\.position) == [4])
        }
    }

    /// An account's verify proves its events are in what each later signed checkpoint sealed:
    /// it passes on an intact store, and names `checkpoint_inclusion` at the checkpoint when the
    /// sealed log changed anywhere before it (another account's stored hash) or the checkpoint's
    /// root was rewritten, without naming the other account's stream or position.
    @Test(arguments: StoreKind.sql)
    func anAccountsVerifyProvesItsEventsAreInTheSignedCheckpoints(kind: StoreKind) async throws {
        try await Fixtures.withStore(kind) { f in
            let key = Curve25519.Signing.PrivateKey()
            let trusted = VerifyOptions(trustedPublicKey: key.publicKey.rawRepresentation.base64EncodedString())
            let (accountA, accountB) = (UUID(), UUID())
            let (a, b) = (StreamID.project(UUID()), StreamID.project(UUID()))
            _ = try await f.store.append(Self.events(2, account: accountB), to: b, expected: .noStream)  // 1-2
            try await f.store.sealCheckpoint(signer: key)  // at 2, before A's first event
            _ = try await f.store.append(Self.events(2, account: accountA), to: a, expected: .noStream)  // 3-4
            _ = try await f.store.append(Self.events(2, account: accountB), to: b, expected: .any)  // 5-6
            try await f.store.sealCheckpoint(signer: key)  // at 6
            _ = try await f.store.append(Self.events(1, account: accountA), to: a, expected: .any)  // 7
            try await f.store.sealCheckpoint(signer: key)  // at 7
            _ = try await f.store.append(Self.events(1, account: accountA), to: a, expected: .any)  // 8, not yet sealed

            let intact = try await f.store.verify(account: accountA, options: trusted)
            #expect(intact.ok, "\(intact.failures)")
            #expect(intact.eventsChecked == 4)
            #expect(intact.checkpointsChecked == 2)

            // A key the checkpoints were not signed with: each one that covers A is named.
            let stranger = VerifyOptions(trustedPublicKey: Curve25519.Signing.PrivateKey().publicKey.rawRepresentation.base64EncodedString())
            let foreign = try await f.store.verify(account: accountA, options: stranger)
            #expect(foreign.failures.map { "\($0.kind)@\($0.position ?? 0)" } == ["checkpoint_signature@6", "checkpoint_signature@7"])

            // Another account's stored hash rewritten after sealing: the root at 6 no longer
            // matches, and the checkpoint at 7 is judged from the edge stored at 6.
            try await f.disableAppendOnlyTriggers()
            try await f.execute("UPDATE events SET hash = '\(String(repeating: "0", count: 64))' WHERE position = 5")
            let broken = try await f.store.verify(account: accountA, options: trusted)
            #expect(!broken.ok)
            #expect(broken.failures.map { "\($0.kind)@\($0.position ?? 0)" } == ["checkpoint_inclusion@6"])
            #expect(broken.checkpointsChecked == 2)
            #expect(broken.checkpointsFailed == 1)
            #expect(broken.failures.allSatisfy { $0.stream == nil })
            let text = String(decoding: try JSONEncoder().encode(broken), as: UTF8.self)
            #expect(!text.contains(b.rawValue) && !text.lowercased().contains(accountB.uuidString.lowercased()))

            // A checkpoint's root rewritten: its signature and inclusion both fail.
            try await f.execute("UPDATE checkpoints SET digest = '\(String(repeating: "f", count: 64))' WHERE position = 7")
            let forged = try await f.store.verify(account: accountA, options: trusted)
            #expect(forged.failures.map { "\($0.kind)@\($0.position ?? 0)" } == [
                "checkpoint_inclusion@6", "checkpoint_signature@7", "checkpoint_inclusion@7",
            ])

            // B's own verify starts at the checkpoint before its first event: none, so from 1.
            let theirs = try await f.store.verify(account: accountB, options: trusted)
            #expect(theirs.failures.map(\.kind).contains("hash_mismatch"))
            #expect(theirs.failures.map(\.kind).contains("checkpoint_inclusion"))
        }
    }
}
