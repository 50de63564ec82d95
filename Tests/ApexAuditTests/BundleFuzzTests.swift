import ApexAudit
import ApexDomain
import ApexStore
import Foundation
import PropertyBased
import Testing

/// Fuzzing the bundle reader in-process: a bundle is attacker-supplied, so whatever its bytes,
/// ``BundleVerifier`` must return a verdict (never trap, never hang), and a bundle whose bytes
/// differ from a signed original must never verify.
@Suite("Bundle verifier fuzz")
struct BundleFuzzTests {
    /// Byte flips, truncations, insertions and deletions anywhere in the file, not re-signed:
    /// always a verdict, and always "not ok".
    @Test func mutatedBytesNeverTrapAndNeverVerify() async throws {
        let fixture = try await BundleFixture.make()
        let original = fixture.bytes
        await propertyCheck(count: 400, input: Gen.int(in: 0...Int.max)) { seed in
            var rng = MutationRandom(seed: seed)
            var bytes = original
            for _ in 0...rng.below(3) { Self.mutateBytes(&bytes, &rng) }
            let result = BundleFixture.verify(bytes)
            if bytes != original {
                #expect(!result.ok, "seed \(seed): a changed bundle verified")
                #expect(!result.failures.isEmpty)
            }
        }
    }

    /// Byte-level damage to line 1, then signed again with the fixture's key, so the parsing and
    /// every check after the signature see the damaged body.
    @Test func resignedDamagedBodiesNeverTrap() async throws {
        let fixture = try await BundleFixture.make()
        let original = fixture.body
        await propertyCheck(count: 300, input: Gen.int(in: 0...Int.max)) { seed in
            var rng = MutationRandom(seed: seed)
            var line1 = original
            for _ in 0...rng.below(2) { Self.mutateBytes(&line1, &rng) }
            line1.removeAll { $0 == 0x0A }
            let result = BundleFixture.verify(BundleFixture.signed(line1))
            // A re-signed `created_at` or `engine_version` is covered by the signature alone,
            // which the same key re-made: only damage elsewhere must be caught.
            if line1 != original && !Self.differsOnlyInUnsealedMembers(line1, original) {
                #expect(!result.ok, "seed \(seed): a damaged body verified")
            }
        }
    }

    /// Structural mutations of the parsed body, signed again: any value replaced by a hostile one
    /// (numbers beyond Int64, wrong kinds, deep nesting), members removed, array items dropped
    /// or repeated. The verifier returns, and a bundle whose events or log changed does not verify.
    @Test func resignedStructuralMutationsNeverTrap() async throws {
        let fixture = try await BundleFixture.make()
        let original = fixture.bodyValue
        let paths = original.allPaths
        await propertyCheck(count: 600, input: Gen.int(in: 0...Int.max)) { seed in
            var rng = MutationRandom(seed: seed)
            var body = original
            var touched: [[JSONStep]] = []
            for _ in 0...rng.below(2) {
                let path = paths[rng.below(paths.count)]
                touched.append(path)
                body = body.changing(path[...]) { value in
                    switch rng.below(4) {
                    case 0: return nil
                    case 1: if case .array(let items) = value, !items.isEmpty { return .array(items + [items[rng.below(items.count)]]) }
                        return JSONValue.hostile[rng.below(JSONValue.hostile.count)]
                    default: return JSONValue.hostile[rng.below(JSONValue.hostile.count)]
                    }
                } ?? .null
            }
            let result = BundleFixture.verify(BundleFixture.signed(body))
            // Dropping whole events from the end of a re-signed body gives the bundle of an earlier
            // moment, which is valid: that is what the signature (pinned with --public-key) is for.
            let integrityCovered = touched.allSatisfy { ["events", "inclusion", "consistency", "checkpoints", "stream", "format"].contains(Self.top($0)) && $0.count > 2 }
            if body != original && integrityCovered { #expect(!result.ok, "seed \(seed): changed \(touched) and it verified") }
        }
    }

    /// An event's data rewritten by someone who recomputes its hash and the chain after it: the
    /// domain's replay then runs over attacker-chosen payloads, and must not trap either.
    @Test func rehashedHostilePayloadsNeverTrap() async throws {
        let fixture = try await BundleFixture.make()
        let original = fixture.bodyValue
        guard case .array(let events)? = original["events"] else { Issue.record("no events"); return }
        await propertyCheck(count: 300, input: Gen.int(in: 0...Int.max)) { seed in
            var rng = MutationRandom(seed: seed)
            var envelopes = events.compactMap(AuditBundle.event(from:))
            let i = rng.below(envelopes.count)
            let before = envelopes[i].data
            let dataPaths = envelopes[i].data.allPaths
            envelopes[i].data = envelopes[i].data.changing(dataPaths[rng.below(dataPaths.count)][...]) { _ in
                JSONValue.hostile[rng.below(JSONValue.hostile.count)]
            } ?? .null
            var prev = i == 0 ? EventHash.genesis : envelopes[i - 1].hash
            for j in i..<envelopes.count {
                envelopes[j].prevHash = prev
                envelopes[j].hash = EventHash.compute(envelopes[j], prevHash: prev)
                prev = envelopes[j].hash
            }
            var body = original.objectValue ?? [:]
            body["events"] = .array(envelopes.map(AuditBundle.json(of:)))
            let result = BundleFixture.verify(BundleFixture.signed(.object(body)))
            if envelopes[i].data != before { #expect(!result.ok, "seed \(seed): the inclusion proofs and checkpoint still seal the old hashes") }
        }
    }

    /// Text no parser should recurse through: 100 000 nested arrays as line 1, signed.
    @Test func deeplyNestedTextIsRejectedNotOverflowed() {
        for opener in ["[", "{\"a\":"] {
            let line1 = Array(String(repeating: opener, count: 100_000).utf8)
            let result = BundleFixture.verify(BundleFixture.signed(line1))
            #expect(result.failures.map(\.kind) == ["bundle_format"], "\(result.failures)")
        }
    }

    static func differsOnlyInUnsealedMembers(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        func rest(_ bytes: [UInt8]) -> [String: JSONValue]? {
            var members = (try? JSONDecoder().decode(JSONValue.self, from: Data(bytes)))?.objectValue
            members?["created_at"] = nil
            members?["engine_version"] = nil
            return members
        }
        guard let ra = rest(a), let rb = rest(b) else { return false }
        return ra == rb
    }

    static func top(_ path: [JSONStep]) -> String {
        if case .member(let name)? = path.first { return name }
        return ""
    }

    static func mutateBytes(_ bytes: inout [UInt8], _ rng: inout MutationRandom) {
        switch rng.below(5) {
        case 0 where !bytes.isEmpty: bytes[rng.below(bytes.count)] ^= UInt8(1 << rng.below(8))
        case 1: bytes.removeLast(rng.below(bytes.count + 1))
        case 2: bytes.insert(contentsOf: (0...rng.below(8)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }, at: rng.below(bytes.count + 1))
        case 3 where !bytes.isEmpty:
            let start = rng.below(bytes.count)
            bytes.removeSubrange(start..<min(bytes.count, start + 1 + rng.below(64)))
        default:
            let digits = Array(["1e300", "-1e300", "99999999999999999999", "1.5", "null", "\"x\"", "[[[[", "}"][rng.below(8)].utf8)
            bytes.insert(contentsOf: digits, at: rng.below(bytes.count + 1))
        }
    }
}
