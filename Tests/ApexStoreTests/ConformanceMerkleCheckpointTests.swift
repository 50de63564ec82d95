import ApexDomain
import ApexStore
import Crypto
import Foundation
import Testing

/// L3: checkpoints are signed heads of an RFC 6962 Merkle tree over the global log (version 2);
/// checkpoints sealed before (version 1, a running digest) still verify.
@Suite("Conformance: Merkle checkpoints")
struct ConformanceMerkleCheckpointTests {
    /// Positions 1-6 in two streams, a checkpoint at 6, positions 7-10, a checkpoint at 10.
    static func twoCheckpoints(_ f: StoreFixture, key: Curve25519.Signing.PrivateKey) async throws -> (StreamID, StreamID) {
        let (a, b) = (StreamID.project(UUID()), StreamID.project(UUID()))
        _ = try await f.store.append(Events.notes(3), to: a, expected: .noStream)
        _ = try await f.store.append(Events.notes(3), to: b, expected: .noStream)
        try await f.store.sealCheckpoint(signer: key)
        _ = try await f.store.append(Events.notes(2), to: a, expected: .any)
        _ = try await f.store.append(Events.notes(2), to: b, expected: .any)
        try await f.store.sealCheckpoint(signer: key)
        return (a, b)
    }

    /// A sealed checkpoint is version 2, signs the head of the tree over every event's hash, and
    /// the next one, continued from the stored edge, equals the tree recomputed from scratch.
    @Test(arguments: StoreKind.allCases)
    func aCheckpointSignsTheMerkleHeadOfTheLog(kind: StoreKind) async throws {
        try await Fixtures.withStore(kind) { f in
            let key = Curve25519.Signing.PrivateKey()
            _ = try await Self.twoCheckpoints(f, key: key)
            let checkpoints = try await f.store.checkpoints()
            #expect(checkpoints.map(\.version) == [2, 2])
            #expect(checkpoints.map(\.position) == [6, 10])
            let leaves = try await f.store.readAll().map { Merkle.leaf(eventHash: $0.hash) }
            let tree = MerkleTree(leaves: leaves)
            #expect(checkpoints.map(\.root) == [tree.root(size: 6).hex, tree.root(size: 10).hex])
            #expect(checkpoints.allSatisfy { $0.hasValidSignature(trusting: key.publicKey.rawRepresentation.base64EncodedString()) })
            #expect(checkpoints.allSatisfy { $0.merkleFrontier != nil }, "the stored edge is read back and folds to the root")
            let json = try CanonicalJSON.value(of: checkpoints[1])
            #expect(json["version"] == 2 && json["root"] == .string(tree.root(size: 10).hex) && json["digest"] == nil)
            let report = try await f.store.verify()
            #expect(report.ok, "\(report.failures)")
            #expect(report.checkpointsChecked == 2)
        }
    }

    /// Whichever event under a checkpoint has its hash rewritten, verify names that checkpoint
    /// (beside the event); the later checkpoint, continued from the failed one's edge, still verifies.
    @Test(arguments: StoreKind.sql)
    func alteringAnyEventUnderACheckpointFailsThatCheckpoint(kind: StoreKind) async throws {
        try await Fixtures.withStore(kind) { f in
            _ = try await Self.twoCheckpoints(f, key: Curve25519.Signing.PrivateKey())
            try await f.disableAppendOnlyTriggers()
            let hashes = try await f.store.readAll().map(\.hash)
            for position in 1...6 {
                let forged = EventHash.hex(SHA256.hash(data: Array("forged \(position)".utf8)))
                try await f.execute("UPDATE events SET hash = '\(forged)' WHERE position = \(position)")
                let report = try await f.store.verify()
                let checkpoints = report.failures.filter(\.isCheckpointFailure).map { "\($0.kind)@\($0.position ?? 0)" }
                #expect(checkpoints == ["checkpoint_digest@6"], "event \(position): \(report.failures)")
                #expect(report.checkpointsFailed == 1)
                #expect(report.failures.contains { $0.kind == "hash_mismatch" && $0.position == Int64(position) })
                try await f.execute("UPDATE events SET hash = '\(hashes[position - 1])' WHERE position = \(position)")
            }
            #expect(try await f.store.verify().ok)
        }
    }

    /// An attacker who rewrites an event and recomputes its hash and the stream head leaves
    /// every chain intact: only the checkpoint over it shows the change.
    @Test(arguments: StoreKind.sql)
    func aRehashedForgeryIsCaughtByTheCheckpointAlone(kind: StoreKind) async throws {
        try await Fixtures.withStore(kind) { f in
            let (a, _) = try await Self.twoCheckpoints(f, key: Curve25519.Signing.PrivateKey())
            // Stream a's events are at 1-3 and 7-8: rewrite its last one (8), so no later link names it.
            var event = try #require(try await f.store.readAll().first { $0.position == 8 })
            #expect(event.stream == a)
            event.data = ["text": "forged"]
            let hash = EventHash.compute(event, prevHash: event.prevHash)
            try await f.disableAppendOnlyTriggers()
            try await f.execute(
                kind == .sqlite
                    ? "UPDATE events SET data = '{\"text\":\"forged\"}', hash = '\(hash)' WHERE position = 8"
                    : "UPDATE events SET data = '{\"text\":\"forged\"}'::json, hash = '\(hash)' WHERE position = 8")
            try await f.execute("UPDATE streams SET hash = '\(hash)' WHERE stream_id = '\(a.rawValue)'")
            let report = try await f.store.verify()
            #expect(report.failures.map { "\($0.kind)@\($0.position ?? 0)" } == ["checkpoint_digest@10"], "\(report.failures)")
            #expect(report.failures.first?.description.contains("Merkle root") == true)
        }
    }

    /// A version 1 checkpoint row written as the old code wrote it (no version, no edge)
    /// verifies; the next seal adds a version 2 checkpoint at the same position (read from
    /// position 1), and a change under both fails both.
    @Test(arguments: StoreKind.allCases)
    func aVersionOneCheckpointStillVerifies(kind: StoreKind) async throws {
        try await Fixtures.withStore(kind) { f in
            let key = Curve25519.Signing.PrivateKey()
            let stream = StreamID.project(UUID())
            _ = try await f.store.append(Events.notes(4), to: stream, expected: .noStream)
            var digest = GlobalDigest()
            for event in try await f.store.readAll() { digest.add(event) }
            let old = try Checkpoint.signed(position: 4, digest: digest.hex, createdAt: Date(), key: key)
            if kind == .memory {
                try await f.store.insertCheckpoint(old)
            } else {
                try await f.execute(
                    """
                    INSERT INTO checkpoints (position, digest, created_at, public_key, signature)
                    VALUES (4, '\(old.digest)', '\(Timestamp.format(old.createdAt))', '\(old.publicKey)', '\(old.signature)')
                    """)
            }
            #expect(try await f.store.checkpoints() == [old])
            let first = try await f.store.verify()
            #expect(first.ok && first.checkpointsChecked == 1, "\(first.failures)")

            let sealed = try #require(try await f.store.sealCheckpoint(signer: key))
            #expect(sealed.version == 2 && sealed.position == 4)
            #expect(try await f.store.checkpoints().map(\.version) == [1, 2])
            #expect(try await f.store.sealCheckpoint(signer: key) == sealed, "nothing new: the version 2 checkpoint comes back")
            let both = try await f.store.verify()
            #expect(both.ok && both.checkpointsChecked == 2, "\(both.failures)")

            guard kind != .memory else { return }
            try await f.disableAppendOnlyTriggers()
            try await f.execute("UPDATE events SET hash = '\(String(repeating: "e", count: 64))' WHERE position = 2")
            let tampered = try await f.store.verify()
            #expect(tampered.failures.filter(\.isCheckpointFailure).map(\.kind) == ["checkpoint_digest", "checkpoint_digest"])
            #expect(tampered.checkpointsFailed == 2)
        }
    }

    /// A database whose checkpoints table is still in its previous shape (key `position`, no
    /// version, no edge) and holds a version 1 row is migrated on open: the row is kept and
    /// verifies, and a version 2 checkpoint can then seal the same position.
    @Test(arguments: StoreKind.sql)
    func anOldCheckpointsTableIsMigratedWithItsRows(kind: StoreKind) async throws {
        try await Fixtures.withStore(kind) { f in
            let key = Curve25519.Signing.PrivateKey()
            _ = try await f.store.append(Events.notes(3), to: .project(UUID()), expected: .noStream)
            var digest = GlobalDigest()
            for event in try await f.store.readAll() { digest.add(event) }
            let old = try Checkpoint.signed(position: 3, digest: digest.hex, createdAt: Date(), key: key)
            if kind == .sqlite {
                try await f.execute(
                    """
                    DROP TABLE checkpoints;
                    CREATE TABLE checkpoints (position INTEGER PRIMARY KEY, digest TEXT NOT NULL, created_at TEXT NOT NULL,
                        public_key TEXT NOT NULL, signature TEXT NOT NULL);
                    DELETE FROM grdb_migrations WHERE identifier = 'v3-merkle-checkpoints';
                    """)
            } else {
                try await f.execute("ALTER TABLE checkpoints DROP COLUMN version, DROP COLUMN frontier, ADD PRIMARY KEY (position)")
                try await f.execute("DELETE FROM apex_schema WHERE version >= 5")
            }
            try await f.execute(
                """
                INSERT INTO checkpoints (position, digest, created_at, public_key, signature)
                VALUES (3, '\(old.digest)', '\(Timestamp.format(old.createdAt))', '\(old.publicKey)', '\(old.signature)')
                """)
            try await EventStores.withStore(url: try #require(f.url), logger: Fixtures.logger) { store in
                #expect(try await store.checkpoints() == [old])
                #expect(try await store.verify().ok)
                let sealed = try #require(try await store.sealCheckpoint(signer: key))
                #expect(sealed.version == 2 && sealed.position == 3)
                let report = try await store.verify()
                #expect(report.ok && report.checkpointsChecked == 2, "\(report.failures)")
            }
            // The append-only guard is back on the new table.
            await #expect(throws: (any Error).self) { try await f.execute("DELETE FROM checkpoints") }
        }
    }
}
