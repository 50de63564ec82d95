import ApexAudit
import ApexDomain
import ApexTestSupport
import Foundation
import PropertyBased
import Testing

/// The bundle reader against the seeds in `Fuzz/corpus/bundle/` (replayed on every run, as they
/// are and with their first line signed by the fixture's key, so the checks after the signature
/// see them) and their mutations, with a real bundle's, for `Fuzzing.budget`
/// (`APEX_FUZZ_SECONDS`, `scripts/fuzz.sh`): hostile input always gets a verdict, never a trap,
/// and never verifies.
@Suite("Bundle corpus fuzz")
struct BundleCorpusFuzzTests {
    /// Verifies `bytes` as they are, signed again, and pinned; none of them may verify unless
    /// they are `original`.
    static func check(_ bytes: [UInt8], original: [UInt8]) {
        Fuzzing.remember(bytes, target: "bundle")
        let plain = BundleFixture.verify(bytes)
        if bytes != original { #expect(!plain.ok, "a changed bundle verified") }
        if !plain.ok { #expect(!plain.failures.isEmpty, "refused without a failure") }
        let line1 = Array(bytes.split(separator: 0x0A, maxSplits: 1, omittingEmptySubsequences: false).first ?? [])
        let resigned = BundleFixture.signed(line1)
        Fuzzing.remember(resigned, target: "bundle")
        let verdict = BundleFixture.verify(resigned, pinned: true)
        if !verdict.ok { #expect(!verdict.failures.isEmpty) }
    }

    @Test func theCorpusGetsAVerdict() throws {
        let seeds = try Fuzzing.seeds("bundle")
        #expect(seeds.count >= 10)
        for (name, bytes) in seeds {
            Self.check(bytes, original: [])
            #expect(!BundleFixture.verify(bytes).ok, "seed \(name) verified")
        }
    }

    @Test func mutationsOfTheCorpusAndOfARealBundleNeverTrap() async throws {
        let fixture = try await BundleFixture.make()
        let seeds = try Fuzzing.seeds("bundle").map(\.bytes) + [fixture.bytes]
        let deadline = ContinuousClock.now + Fuzzing.budget()
        var runs = 0
        repeat {
            await propertyCheck(count: 100, input: Gen.int(in: 0...Int.max)) { seed in
                var random = FuzzRandom(seed: seed)
                let base = random.below(2) == 0 ? fixture.bytes : seeds[random.below(seeds.count)]
                Self.check(FuzzMutator.mutate(base, others: seeds, &random), original: fixture.bytes)
            }
            runs += 100
        } while ContinuousClock.now < deadline
        #expect(runs >= 100)
    }
}
