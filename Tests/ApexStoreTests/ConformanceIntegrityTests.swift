import ApexDomain
import ApexStore
import Crypto
import Foundation
import Testing

@Suite("Conformance: append-only and tamper evidence")
struct ConformanceIntegrityTests {
    @Test(arguments: StoreKind.sql)
    func theDatabaseItselfRejectsUpdateAndDeleteOfEvents(kind: StoreKind) async throws {
        try await Fixtures.withStore(kind) { f in
            _ = try await f.store.append(Events.notes(2), to: .project(UUID()), expected: .noStream)
            await f.expectAppendOnlyRefusal("UPDATE events SET type = 'forged' WHERE position = 1")
            await f.expectAppendOnlyRefusal("DELETE FROM events WHERE position = 2")
            if kind == .postgres {
                await f.expectAppendOnlyRefusal("TRUNCATE events")
                await f.expectAppendOnlyRefusal("TRUNCATE checkpoints")
            }
            let key = Curve25519.Signing.PrivateKey()
            try await f.store.sealCheckpoint(signer: key)
            await f.expectAppendOnlyRefusal("DELETE FROM checkpoints")
            let events = try await f.store.readAll()
            #expect(events.map(\.type) == ["test.note", "test.note"])
            #expect(try await f.store.verify().ok)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func signedCheckpointsSealTheGlobalOrderAndVerifyChecksThem(kind: StoreKind) async throws {
        try await Fixtures.withStore(kind) { f in
            let key = Curve25519.Signing.PrivateKey()
            let publicKey = key.publicKey.rawRepresentation.base64EncodedString()
            _ = try await f.store.append(Events.notes(3), to: .project(UUID()), expected: .noStream)
            let first = try #require(try await f.store.sealCheckpoint(signer: key))
            #expect(first.position == 3)
            #expect(first.hasValidSignature(trusting: publicKey))
            // Nothing new: the same checkpoint comes back, none is added.
            #expect(try await f.store.sealCheckpoint(signer: key) == first)
            _ = try await f.store.append(Events.notes(2), to: .account(UUID()), expected: .noStream)
            let second = try #require(try await f.store.sealCheckpoint(signer: key))
            #expect(second.position == 5)
            #expect(try await f.store.checkpoints().count == 2)

            let report = try await f.store.verify(options: VerifyOptions(trustedPublicKey: publicKey))
            #expect(report.ok)
            #expect(report.eventsChecked == 5)
            #expect(report.checkpointsChecked == 2)
            #expect(report.streamsChecked == 2)

            let stranger = Curve25519.Signing.PrivateKey().publicKey.rawRepresentation.base64EncodedString()
            let untrusted = try await f.store.verify(options: VerifyOptions(trustedPublicKey: stranger))
            #expect(!untrusted.ok)
            #expect(untrusted.firstFailure?.kind == "checkpoint_signature")
            #expect(untrusted.firstFailure?.position == 3)
        }
    }

    @Test(arguments: StoreKind.sql)
    func verifyNamesAnAlteredEvent(kind: StoreKind) async throws {
        try await Fixtures.withStore(kind) { f in
            let stream = StreamID.project(UUID())
            _ = try await f.store.append(Events.notes(4), to: stream, expected: .noStream)
            _ = try await f.store.append(Events.notes(2), to: .project(UUID()), expected: .noStream)
            #expect(try await f.store.verify().ok)
            try await f.disableAppendOnlyTriggers()
            try await f.execute(
                kind == .sqlite
                    ? "UPDATE events SET data = '{\"text\":\"forged\"}' WHERE position = 3"
                    : "UPDATE events SET data = '{\"text\":\"forged\"}'::json WHERE position = 3")
            let report = try await f.store.verify()
            #expect(!report.ok)
            let failure = try #require(report.firstFailure)
            #expect(failure.kind == "hash_mismatch")
            #expect(failure.stream == stream.rawValue)
            #expect(failure.version == 3)
            #expect(failure.position == 3)
            #expect(report.eventsChecked == 6)
            #expect(report.failureCount == 1)
        }
    }

    /// `verify` hashes the stored texts without decoding them; that is only sound if every row
    /// the adapters write hashes, as stored, to its own hash — else every event would take the
    /// slow path and nobody would notice.
    @Test(arguments: StoreKind.sql)
    func storedRowsHashAsStoredWithoutDecoding(kind: StoreKind) async throws {
        try await Fixtures.withStore(kind) { f in
            _ = try await f.store.append(
                ConformancePrivacyTests.personalEvents(user: UUID()), to: .account(Events.account), expected: .noStream)
            var odd = Events.notes(3, prefix: "quote \" tab\t é ")
            odd[1].reason = "approved \"as drawn\"\n"
            _ = try await f.store.append(odd, to: StreamID(rawValue: "project-\"odd\""), expected: .noStream)
            let reader = try #require(f.store as? any StoredRowReader)
            let rows = try await reader.readRows(after: 0, limit: 100)
            let envelopes = try await f.store.readAll(after: 0, limit: 100, mode: .stored)
            #expect(rows.count == 4)
            for (row, envelope) in zip(rows, envelopes) {
                #expect(row.storedBodyBytes == CanonicalJSON.bytes(envelope.canonicalBody), "position \(row.position)")
                #expect(EventHash.compute(body: row.storedBodyBytes, prevHash: row.prevHash) == row.hash)
            }
        }
    }

    /// A stored JSON text rewritten without changing its meaning (whitespace) no longer hashes
    /// as stored; `verify` then decodes it and hashes its canonical form, which still matches.
    @Test(arguments: StoreKind.sql)
    func verifyAcceptsAStoredTextReformattedWithoutChangingItsMeaning(kind: StoreKind) async throws {
        try await Fixtures.withStore(kind) { f in
            _ = try await f.store.append(Events.notes(3), to: .project(UUID()), expected: .noStream)
            try await f.disableAppendOnlyTriggers()
            try await f.execute(
                kind == .sqlite
                    ? "UPDATE events SET data = ' ' || data || ' ' WHERE position = 2"
                    : "UPDATE events SET data = (' ' || data::text || ' ')::json WHERE position = 2")
            let reader = try #require(f.store as? any StoredRowReader)
            let row = try #require(try await reader.readRows(after: 1, limit: 1).first)
            #expect(row.data.hasPrefix(" "))
            let report = try await f.store.verify()
            #expect(report.ok, "\(String(describing: report.firstFailure))")
            #expect(report.eventsChecked == 3)
        }
    }

    /// Bytes moved from one JSON column into its neighbour leave the hashed body unchanged, so
    /// the hash alone cannot tell; `verify` must still name the row, which no longer decodes.
    @Test func verifyNamesBytesMovedBetweenColumns() async throws {
        try await Fixtures.withStore(.sqlite) { f in
            var event = Events.note("x")
            event.data = ["a": 1, "data": 2]
            _ = try await f.store.append([event], to: .project(UUID()), expected: .noStream)
            _ = try await f.store.append(Events.notes(2), to: .project(UUID()), expected: .noStream)
            try await f.disableAppendOnlyTriggers()
            try await f.execute(#"UPDATE events SET actor = actor || ',"data":{"a":1', data = '2}' WHERE position = 1"#)
            let reader = try #require(f.store as? any StoredRowReader)
            let row = try #require(try await reader.readRows(after: 0, limit: 1).first)
            #expect(row.data == "2}")
            #expect(EventHash.compute(body: row.storedBodyBytes, prevHash: row.prevHash) == row.hash)
            #expect(!row.isCanonical)
            let report = try await f.store.verify()
            #expect(report.firstFailure?.kind == "hash_mismatch")
            #expect(report.firstFailure?.position == 1)
            #expect(report.eventsChecked == 3)
        }
    }

    /// A row whose JSON no longer parses is named by `verify`, not thrown out of it.
    @Test func verifyNamesARowThatNoLongerDecodes() async throws {
        try await Fixtures.withStore(.sqlite) { f in
            let stream = StreamID.project(UUID())
            _ = try await f.store.append(Events.notes(3), to: stream, expected: .noStream)
            try await f.disableAppendOnlyTriggers()
            try await f.execute("UPDATE events SET actor = '{\"user_id\":' WHERE position = 2")
            let report = try await f.store.verify()
            let failure = try #require(report.firstFailure)
            #expect(failure.kind == "hash_mismatch")
            #expect(failure.position == 2)
            #expect(failure.version == 2)
            #expect(failure.stream == stream.rawValue)
            #expect(report.eventsChecked == 3)
        }
    }

    @Test(arguments: StoreKind.sql)
    func verifyNamesADeletedTailBehindACheckpoint(kind: StoreKind) async throws {
        try await Fixtures.withStore(kind) { f in
            let key = Curve25519.Signing.PrivateKey()
            let stream = StreamID.project(UUID())
            _ = try await f.store.append(Events.notes(5), to: stream, expected: .noStream)
            try await f.store.sealCheckpoint(signer: key)
            try await f.disableAppendOnlyTriggers()
            // The attacker deletes the last two events and even rewinds the stream head.
            try await f.execute("DELETE FROM events WHERE position > 3")
            let last = try await f.store.readStream(stream).last!
            try await f.execute("UPDATE streams SET version = 3, hash = '\(last.hash)'")
            let report = try await f.store.verify()
            #expect(!report.ok)
            #expect(report.firstFailure?.kind == "missing_events")
            #expect(report.firstFailure?.position == 5)
        }
    }

    @Test(arguments: StoreKind.sql)
    func verifyNamesAnEventDeletedFromTheMiddle(kind: StoreKind) async throws {
        try await Fixtures.withStore(kind) { f in
            let stream = StreamID.project(UUID())
            _ = try await f.store.append(Events.notes(4), to: stream, expected: .noStream)
            try await f.disableAppendOnlyTriggers()
            try await f.execute("DELETE FROM events WHERE position = 2")
            let report = try await f.store.verify()
            #expect(report.firstFailure?.kind == "position_gap")
            #expect(report.firstFailure?.position == 3)
        }
    }

    @Test(arguments: StoreKind.sql)
    func verifyNamesAStreamHeadThatDoesNotMatchTheLog(kind: StoreKind) async throws {
        try await Fixtures.withStore(kind) { f in
            let stream = StreamID.project(UUID())
            _ = try await f.store.append(Events.notes(3), to: stream, expected: .noStream)
            try await f.execute("UPDATE streams SET version = 7")
            let report = try await f.store.verify()
            #expect(report.firstFailure?.kind == "head_mismatch")
            #expect(report.firstFailure?.stream == stream.rawValue)
        }
    }
}
