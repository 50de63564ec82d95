package import Foundation

/// What the fuzz tests share: the seeds kept in the repository (`Fuzz/corpus/TARGET/`), which
/// every run replays; the time budget (`APEX_FUZZ_SECONDS`, set by `scripts/fuzz.sh`); a mutator
/// of byte strings; and, in a budgeted run, the input being tried written to
/// `artifacts/fuzz/TARGET.last` first, so a crash leaves it behind for the corpus.
package enum Fuzzing {
    /// The repository's root (this file is `Tests/ApexTestSupport/Fuzzing.swift`).
    package static var root: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    /// The seeds of `target`, sorted by file name; throws when the folder is missing or empty.
    package static func seeds(_ target: String) throws -> [(name: String, bytes: [UInt8])] {
        let folder = root.appendingPathComponent("Fuzz/corpus/\(target)")
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { !$0.hasPrefix(".") }.sorted()
        guard !names.isEmpty else { throw FixtureError("no seeds in \(folder.path)") }
        return try names.map { ($0, [UInt8](try Data(contentsOf: folder.appendingPathComponent($0)))) }
    }

    /// How long each fuzz test runs after replaying its corpus: `APEX_FUZZ_SECONDS`, else
    /// `fallback` (a short run within the ordinary test suite).
    package static func budget(fallback: Double = 1) -> Duration {
        let seconds = ProcessInfo.processInfo.environment["APEX_FUZZ_SECONDS"].flatMap(Double.init) ?? fallback
        return .milliseconds(Int64(max(0, seconds) * 1000))
    }

    /// Whether this is a budgeted run (`scripts/fuzz.sh`), which records each input before trying it.
    package static var isBudgeted: Bool { ProcessInfo.processInfo.environment["APEX_FUZZ_SECONDS"] != nil }

    /// In a budgeted run, writes `input` to `artifacts/fuzz/TARGET.last` (a crash leaves it there).
    package static func remember(_ input: [UInt8], target: String) {
        guard isBudgeted else { return }
        let folder = root.appendingPathComponent("artifacts/fuzz")
        try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try? Data(input).write(to: folder.appendingPathComponent("\(target).last"))
    }
}

/// A deterministic random source (SplitMix64), so a failing seed reproduces.
package struct FuzzRandom: RandomNumberGenerator {
    private var state: UInt64
    package init(seed: Int) { state = UInt64(bitPattern: Int64(seed)) }
    package mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE5_E4B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    /// A number in `0..<n` (0 when `n` is 0).
    package mutating func below(_ n: Int) -> Int { n <= 0 ? 0 : Int.random(in: 0..<n, using: &self) }
}

/// Byte-level mutations of JSON-like input: bytes replaced, inserted or deleted, runs repeated,
/// pieces of other inputs spliced in, and tokens that hand-written parsers get wrong.
package enum FuzzMutator {
    /// Tokens worth inserting: escapes (lone and paired surrogates), numbers at and past the
    /// edges of Double and Int64, structure, NUL, invalid and overlong UTF-8, deep nesting.
    package static let tokens: [[UInt8]] = [
        "\\u", "\\ud800", "\\udc00", "\\ud83d\\ude00", "\\u0000", "\\uZZZZ", "\\", "\"", "\\\"", "1e999", "-1e-999", "-0", "0.",
        "1e", "-", "+1", "01", "9223372036854775808", "18446744073709551616", "1.7976931348623157e309", "4.9e-324",
        "NaN", "Infinity", "true", "fals", "null", "nul", "{", "}", "[", "]", ":", ",", "{\"\":", "[[[[[[[[", "]]]]]]]]",
        "\u{2028}", "😀", " \t\r\n",
    ].map { Array($0.utf8) } + [[0], [0xFF], [0xC0, 0x80], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xE2, 0x82], [0x7F],
        Array(repeating: UInt8(ascii: "["), count: 600), Array(repeating: UInt8(ascii: "{"), count: 3)]

    /// `bytes` with 1-4 mutations; `others` are spliced from.
    package static func mutate(_ bytes: [UInt8], others: [[UInt8]], _ rng: inout FuzzRandom) -> [UInt8] {
        var bytes = bytes
        for _ in 0...rng.below(4) {
            let at = rng.below(bytes.count + 1)
            switch rng.below(7) {
            case 0 where at < bytes.count: bytes[at] = UInt8(truncatingIfNeeded: rng.next())
            case 1: bytes.insert(contentsOf: tokens[rng.below(tokens.count)], at: at)
            case 2 where at < bytes.count: bytes.removeSubrange(at..<min(bytes.count, at + 1 + rng.below(8)))
            case 3 where at < bytes.count:
                let end = min(bytes.count, at + 1 + rng.below(16))
                bytes.insert(contentsOf: bytes[at..<end], at: end)
            case 4 where !others.isEmpty:
                let other = others[rng.below(others.count)]
                let from = rng.below(other.count)
                bytes.insert(contentsOf: other[from..<min(other.count, from + 1 + rng.below(32))], at: at)
            case 5: bytes = Array(bytes[..<at])
            default: if at < bytes.count { bytes[at] = tokens[rng.below(tokens.count)].first ?? 0 }
            }
        }
        return bytes
    }
}
