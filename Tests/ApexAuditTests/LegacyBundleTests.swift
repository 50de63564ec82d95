import ApexAudit
import ApexDomain
import ApexStore
import Crypto
import Foundation
import Testing

/// Bundles written before L3 (`apex-audit-bundle/1`: version 1 checkpoints and the whole
/// global log) are still verified as they were.
@Suite("Bundles of the previous format")
struct LegacyBundleTests {
    /// A `/1` bundle of the fixture's project, laid out as the previous writer laid it out.
    static func legacyBody() async throws -> JSONValue {
        let (store, project) = try await BundleFixture.store()
        let all = await store.readAll(after: 0, limit: .max, mode: .stored)
        var digest = GlobalDigest()
        for event in all { digest.add(event) }
        let checkpoint = try Checkpoint.signed(position: Int64(all.count), digest: digest.hex, createdAt: Date(), key: BundleFixture.key)
        return [
            "checkpoints": .array([try CanonicalJSON.value(of: checkpoint)]),
            "created_at": .string(Timestamp.format(Date())),
            "engine_version": .string(CalculationEngine.version),
            "events": .array(all.filter { $0.stream == .project(project) }.map(AuditBundle.json(of:))),
            "format": .string(AuditBundle.legacyFormat),
            "global_log": .array(all.map { .string(AuditBundle.logEntry($0)) }),
            "public_key": .string(BundleFixture.key.publicKey.rawRepresentation.base64EncodedString()),
            "stream": .string(StreamID.project(project).rawValue),
        ]
    }

    @Test func aVersionOneBundleStillVerifies() async throws {
        let body = try await Self.legacyBody()
        let result = BundleFixture.verify(BundleFixture.signed(body), pinned: true)
        #expect(result.ok, "\(result.failures)")
        #expect(result.format == AuditBundle.legacyFormat)
        #expect(result.eventsChecked == 5 && result.checkpointsChecked == 1 && result.globalLogEntries == 6)
    }

    @Test func aVersionOneBundlesAlteredLogOrDigestFails() async throws {
        let body = try await Self.legacyBody()
        let entry = try #require(body["global_log"]?.arrayValue?[2].stringValue)
        let altered = try #require(body.changing(["global_log", .index(2)][...]) { _ in .string(String(entry.dropLast()) + (entry.hasSuffix("0") ? "1" : "0")) })
        let kinds = Set(BundleFixture.verify(BundleFixture.signed(altered)).failures.map(\.kind))
        #expect(kinds.isSuperset(of: ["global_log_mismatch", "checkpoint_digest"]), "\(kinds)")
        let dropped = try #require(body.changing(["global_log", .index(5)][...]) { _ in nil })
        #expect(Set(BundleFixture.verify(BundleFixture.signed(dropped)).failures.map(\.kind)).contains("checkpoint_digest"))
        // A version 2 checkpoint has no place in a version 1 bundle.
        let mixed = try #require(body.changing(["checkpoints", .index(0)][...]) { value in
            var members = value.objectValue ?? [:]
            members["version"] = 2
            return .object(members)
        })
        #expect(Set(BundleFixture.verify(BundleFixture.signed(mixed)).failures.map(\.kind)).contains("checkpoint_format"))
    }
}
