import ApexAudit
import ApexDomain
import ApexStore
import Crypto
import Foundation
import Testing

/// L3: a bundle proves its events with RFC 6962 inclusion proofs in signed Merkle checkpoints
/// and consistency proofs between them, and names nothing of any other account.
@Suite("Bundle Merkle proofs")
struct BundleProofTests {
    /// Two accounts in one SQLite file, their events interleaved; returns the bundle of account
    /// A's project and every id of account B (account, users, projects, streams, events).
    static func twoAccounts(folder: URL) async throws -> (bundle: [UInt8], foreign: [String]) {
        let url = "sqlite:" + folder.appendingPathComponent("apex.sqlite").path
        let out = folder.appendingPathComponent("a.apexbundle")
        let (accountA, accountB, ownerA, ownerB) = (UUID(), UUID(), UUID(), UUID())
        let (projectA, projectB, projectB2) = (UUID(), UUID(), UUID())
        try await EventStores.withStore(url: url) { store in
            func act(_ command: ProjectCommand, _ id: UUID, account: UUID, owner: UUID) async throws {
                let state = try ProjectState.replay(try await store.readStream(.project(id)))
                let drafts = try ProjectDecider.decide(command, state: state, context: DecisionContext(now: Date()))
                let events = drafts.map { $0.proposed(id: UUID(), accountID: account, actor: .user(owner), requestMetadata: .none) }
                _ = try await store.append(events, to: .project(id), expected: state.version == 0 ? .noStream : .exact(state.version))
            }
            try await act(.create(projectID: projectB, fields: ProjectFields(name: "B's sign")), projectB, account: accountB, owner: ownerB)
            try await act(.create(projectID: projectA, fields: ProjectFields(name: "A's pylon")), projectA, account: accountA, owner: ownerA)
            try await act(.update(changes: ["name": "B renamed"]), projectB, account: accountB, owner: ownerB)
            try await act(.changeStatus(to: .estimating, reason: "A moves on"), projectA, account: accountA, owner: ownerA)
            try await store.sealCheckpoint(signer: BundleFixture.key)
            try await act(.create(projectID: projectB2, fields: ProjectFields(name: "B's second")), projectB2, account: accountB, owner: ownerB)
            try await store.sealCheckpoint(signer: BundleFixture.key)
            _ = try await AuditBundle.write(store: store, project: projectA, key: BundleFixture.key, to: out)
        }
        let foreignEvents = try await EventStores.withStore(url: url) { store in
            try await store.readAll().filter { $0.accountID == accountB }.map { $0.id.lowercased }
        }
        let foreign = [accountB, ownerB, projectB, projectB2].map(\.lowercased)
            + [StreamID.project(projectB), .project(projectB2), .account(accountB)].map(\.rawValue) + foreignEvents
        return ([UInt8](try Data(contentsOf: out)), foreign)
    }

    @Test func aBundleNamesNoOtherAccountsIdsAndVerifies() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("apex-l3-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let (bytes, foreign) = try await Self.twoAccounts(folder: folder)
        let text = String(decoding: bytes, as: UTF8.self).lowercased()
        #expect(foreign.count >= 9)
        for id in foreign {
            #expect(!text.contains(id.lowercased()), "the bundle names \(id) of the other account")
            // Nor its bytes in another spelling (hex without dashes, as a hash would show it).
            #expect(!text.contains(id.lowercased().replacingOccurrences(of: "-", with: "")))
        }
        #expect(!text.contains("global_log"))
        let result = BundleFixture.verify(bytes, pinned: true)
        #expect(result.ok, "\(result.failures)")
        #expect(result.format == AuditBundle.format)
        #expect(result.eventsChecked >= 2 && result.inclusionProofsChecked == result.eventsChecked)
        #expect(result.checkpointsChecked == 2 && result.consistencyProofsChecked == 1, "the first checkpoint covering A's last event, and the latest")
    }

    /// A bundle with two checkpoints (one at the project's last event, one later), signed again
    /// by the fixture's key after each change, so only the proofs can catch it.
    static func twoCheckpointBundle() async throws -> JSONValue {
        let (store, project) = try await BundleFixture.store()
        try await store.sealCheckpoint(signer: BundleFixture.key)
        _ = try await store.append(
            [ProposedEvent(id: UUID(), type: "test.note", data: ["text": "later"], accountID: UUID(), actor: .service("t"))],
            to: .account(UUID()), expected: .noStream)
        try await store.sealCheckpoint(signer: BundleFixture.key)
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("apex-l3-\(UUID().uuidString).apexbundle")
        defer { try? FileManager.default.removeItem(at: out) }
        _ = try await AuditBundle.write(store: store, project: project, key: BundleFixture.key, to: out)
        let bytes = [UInt8](try Data(contentsOf: out))
        #expect(BundleFixture.verify(bytes, pinned: true).ok)
        return try JSONDecoder().decode(JSONValue.self, from: Data(bytes[..<bytes.firstIndex(of: 0x0A)!]))
    }

    static func kinds(_ body: JSONValue) -> Set<String> { Set(BundleFixture.verify(BundleFixture.signed(body)).failures.map(\.kind)) }

    @Test func aForgedInclusionProofFails() async throws {
        let body = try await Self.twoCheckpointBundle()
        let forged = try #require(body.changing(["inclusion", .index(2), "path", .index(0)][...]) { _ in .string(String(repeating: "ab", count: 32)) })
        #expect(Self.kinds(forged) == ["inclusion_proof"])
        let shortened = try #require(body.changing(["inclusion", .index(2), "path"][...]) { .array(Array(($0.arrayValue ?? []).dropLast())) })
        #expect(Self.kinds(shortened) == ["inclusion_proof"])
    }

    @Test func aSwappedLeafFails() async throws {
        let body = try await Self.twoCheckpointBundle()
        // Each event keeps its position but gets the other's audit path.
        let (first, second) = (try #require(body["inclusion"]?.arrayValue?[1]["path"]), try #require(body["inclusion"]?.arrayValue?[3]["path"]))
        let swapped = try #require(
            body.changing(["inclusion", .index(1), "path"][...]) { _ in second }?.changing(["inclusion", .index(3), "path"][...]) { _ in first })
        let result = BundleFixture.verify(BundleFixture.signed(swapped))
        #expect(result.failures.map(\.kind) == ["inclusion_proof", "inclusion_proof"], "\(result.failures)")
        #expect(result.failures.map(\.version) == [2, 4])
        // An event's hash replaced by another event's (its own checks fail; so does its leaf).
        let other = try #require(body["events"]?.arrayValue?[0]["hash"])
        let replaced = try #require(body.changing(["events", .index(1), "hash"][...]) { _ in other })
        #expect(Self.kinds(replaced).isSuperset(of: ["hash_mismatch", "inclusion_proof"]))
    }

    @Test func aWrongTreeSizeFails() async throws {
        let body = try await Self.twoCheckpointBundle()
        let sizes = try #require(body["checkpoints"]?.arrayValue?.compactMap { AuditBundle.integer("position", in: $0) })
        #expect(sizes.count == 2)
        for size in [sizes[1], sizes[0] + 1, sizes[0] - 1, 0, -1] {
            let wrong = try #require(body.changing(["inclusion", .index(0), "tree_size"][...]) { _ in .number(Double(size)) })
            #expect(Self.kinds(wrong) == ["inclusion_proof"], "tree size \(size)")
        }
        for number in [1e300, -1e300, 9.3e18, 2.5] {
            let wrong = try #require(body.changing(["inclusion", .index(0), "tree_size"][...]) { _ in .number(number) })
            #expect(Self.kinds(wrong) == ["inclusion_proof"], "tree size \(number)")
        }
        let huge = try #require(body.changing(["inclusion", .index(0), "path"][...]) { _ in .array(Array(repeating: .string(String(repeating: "0", count: 64)), count: 100_000)) })
        #expect(Self.kinds(huge) == ["inclusion_proof"])
    }

    @Test func aForgedConsistencyProofOrCheckpointFails() async throws {
        let body = try await Self.twoCheckpointBundle()
        let forged = try #require(body.changing(["consistency", .index(0), "path", .index(0)][...]) { _ in .string(String(repeating: "cd", count: 32)) })
        #expect(Self.kinds(forged) == ["consistency_proof"])
        let wrongEnd = try #require(body.changing(["consistency", .index(0), "to"][...]) { _ in .number(1e300) })
        #expect(Self.kinds(wrongEnd) == ["consistency_proof"])
        let missing = try #require(body.changing(["consistency", .index(0)][...]) { _ in nil })
        #expect(Self.kinds(missing) == ["consistency_proof"])
        // A checkpoint re-signed by the attacker over another root: its own signature holds
        // (pinned to the same key), the proofs do not.
        let checkpoint = try #require(body["checkpoints"]?.arrayValue?[1]).objectValue!
        var other = try #require(AuditBundle.checkpoint(from: .object(checkpoint)))
        other.digest = String(repeating: "ef", count: 32)
        other.signature = try BundleFixture.key.signature(for: Data(other.signedBytes)).base64EncodedString()
        let resealed = try #require(body.changing(["checkpoints", .index(1)][...]) { _ in try? CanonicalJSON.value(of: other) })
        #expect(Self.kinds(resealed) == ["consistency_proof"])
    }

    /// The bundle writer seals a version 2 checkpoint when only a version 1 one covers the
    /// project, even at the same position.
    @Test func aStoreWithOnlyAVersionOneCheckpointGetsAVersionTwoOneForItsBundle() async throws {
        let (store, project) = try await BundleFixture.store()
        var digest = GlobalDigest()
        for event in try await store.readAll() { digest.add(event) }
        let head = await store.headPosition()
        try await store.insertCheckpoint(try Checkpoint.signed(position: head, digest: digest.hex, createdAt: Date(), key: BundleFixture.key))
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("apex-l3-\(UUID().uuidString).apexbundle")
        defer { try? FileManager.default.removeItem(at: out) }
        let summary = try await AuditBundle.write(store: store, project: project, key: BundleFixture.key, to: out)
        #expect(summary.sealedNewCheckpoint && summary.checkpoints == [head])
        #expect(await store.checkpoints().map(\.version) == [1, 2])
        #expect(BundleFixture.verify([UInt8](try Data(contentsOf: out)), pinned: true).ok)
    }

    /// Two changes a byte-level fuzz run found verifying: the body's `public_key` member renamed
    /// away, and a checkpoint signature respelled in non-canonical base64 (padding bits set:
    /// the same bytes). Both are failures now.
    @Test func aMissingBodyKeyOrANonCanonicalSignatureFails() async throws {
        let body = try await Self.twoCheckpointBundle()
        var members = try #require(body.objectValue)
        members["pUblic_key"] = members.removeValue(forKey: "public_key")
        #expect(Self.kinds(.object(members)) == ["bundle_format"])

        let signature = try #require(body["checkpoints"]?.arrayValue?[0]["signature"]?.stringValue)
        #expect(signature.hasSuffix("=="))
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
        let last = signature[signature.index(signature.endIndex, offsetBy: -3)]
        let respelled = String(signature.dropLast(3)) + String(alphabet[alphabet.firstIndex(of: last)! ^ 1]) + "=="
        #expect(Data(base64Encoded: respelled) == Data(base64Encoded: signature), "the same bytes")
        let changed = try #require(body.changing(["checkpoints", .index(0), "signature"][...]) { _ in .string(respelled) })
        #expect(Self.kinds(changed) == ["checkpoint_signature"])
    }
}
