import ApexDomain
import ApexTestSupport
import Foundation
import PropertyBased
import Testing

/// Fuzzing the hand-written JSON parser (`JSONValue.parse`, `JSONScan`) and the canonical writer.
/// Every run replays the seeds in `Fuzz/corpus/json/`, then mutates them (and canonical texts of
/// random values) for `Fuzzing.budget` (`APEX_FUZZ_SECONDS`, `scripts/fuzz.sh`): whatever the
/// bytes, the parser returns a value or throws `JSONParseError`, never traps; what it accepts
/// written canonically parses back to the same value and is a fixed point of parse → write.
@Suite("JSON fuzz")
struct JSONFuzzTests {
    /// The properties every input must have.
    static func check(_ bytes: [UInt8]) {
        Fuzzing.remember(bytes, target: "json")
        let value: JSONValue
        do { value = try JSONValue.parse(bytes) } catch {
            #expect(error is JSONParseError, "not a JSONParseError: \(error)")
            return
        }
        let canonical = CanonicalJSON.bytes(value)
        guard let again = try? JSONValue.parse(canonical) else {
            Issue.record("canonical output does not parse: \(String(decoding: canonical, as: UTF8.self).prefix(200))")
            return
        }
        #expect(again == value, "canonical output parses to another value")
        #expect(CanonicalJSON.bytes(again) == canonical, "parse → write is not a fixed point")
        #expect(CanonicalJSON.isCanonical(String(decoding: canonical, as: UTF8.self)))
        // The check without decoding agrees with its definition on the input itself.
        let text = String(decoding: bytes, as: UTF8.self)
        let rewritten = (try? JSONValue.parse(text)).map { CanonicalJSON.string($0) }
        #expect(CanonicalJSON.isCanonical(text) == (rewritten == text), "isCanonical disagrees on \(text.prefix(200))")
    }

    @Test func theCorpusParsesOrThrowsAndRoundTrips() throws {
        let seeds = try Fuzzing.seeds("json")
        #expect(seeds.count >= 20)
        for (_, bytes) in seeds { Self.check(bytes) }
    }

    @Test func mutatedInputsNeverTrap() async throws {
        let seeds = try Fuzzing.seeds("json").map(\.bytes)
        let inputs = Generator<[UInt8], Shrink.None<[UInt8]>> { rng in
            var random = FuzzRandom(seed: Int(truncatingIfNeeded: rng.next()))
            let base = random.below(4) == 0
                ? CanonicalJSON.bytes(RandomJSON.value(&rng, depth: 4))
                : seeds[random.below(seeds.count)]
            return FuzzMutator.mutate(base, others: seeds, &random)
        }
        let deadline = ContinuousClock.now + Fuzzing.budget()
        var runs = 0
        repeat {
            await propertyCheck(count: 500, input: inputs) { Self.check($0) }
            runs += 500
        } while ContinuousClock.now < deadline
        #expect(runs >= 500)
    }

    /// `JSONScan.plainRunEnd` (eight bytes at a time) agrees with a byte-by-byte scan, from
    /// every start, on random bytes rich in the bytes that end a run.
    @Test func theWordScanAgreesWithAByteScan() async {
        let deadline = ContinuousClock.now + Fuzzing.budget(fallback: 0.5)
        let alphabet: [UInt8] = [0x22, 0x5C, 0x1F, 0x00, 0x20, 0x7F, 0x80, 0xFF, 0x41, 0x21, 0x23]
        repeat {
            await propertyCheck(count: 500, input: Gen.int(in: 0...Int.max)) { seed in
                var random = FuzzRandom(seed: seed)
                let bytes = (0..<random.below(70)).map { _ in random.below(3) == 0 ? alphabet[random.below(alphabet.count)] : UInt8(truncatingIfNeeded: random.next()) }
                bytes.withUnsafeBufferPointer { buffer in
                    for start in 0...bytes.count {
                        let naive = bytes[start...].firstIndex { $0 == 0x22 || $0 == 0x5C || $0 < 0x20 } ?? bytes.count
                        #expect(JSONScan.plainRunEnd(buffer, from: start) == naive, "seed \(seed) start \(start)")
                    }
                }
            }
        } while ContinuousClock.now < deadline
    }

    /// Random values (hostile strings, any finite number, nesting) written canonically parse back
    /// to themselves, and writing again gives the same bytes.
    @Test func canonicalOutputOfRandomValuesRoundTrips() async {
        let deadline = ContinuousClock.now + Fuzzing.budget(fallback: 0.5)
        repeat {
            await propertyCheck(count: 300, input: Generator<JSONValue, Shrink.None<JSONValue>> { RandomJSON.value(&$0, depth: 5) }) { value in
                let bytes = CanonicalJSON.bytes(value)
                Fuzzing.remember(bytes, target: "canonical")
                let parsed = try JSONValue.parse(bytes)
                #expect(parsed == value)
                #expect(CanonicalJSON.bytes(parsed) == bytes)
            }
        } while ContinuousClock.now < deadline
    }
}
