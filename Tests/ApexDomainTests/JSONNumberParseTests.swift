import ApexDomain
import Foundation
import Testing

/// Integers take a fast path in the parser; every number must still parse to what
/// `Double(text)` gives (and malformed ones must still fail).
@Suite("Parsing JSON numbers")
struct JSONNumberParseTests {
    @Test func integersParseExactlyAsDoubleDoes() throws {
        var rng = SystemRandomNumberGenerator()
        var texts = ["0", "-0", "7", "-7", "999999999999999", "-999999999999999", "1000000000000000", "9007199254740993", "1e3", "2.50", "-0.0", "1E+2", "0.5e-3"]
        for _ in 0..<2_000 {
            let magnitude = Int64.random(in: 0...999_999_999_999_999, using: &rng) >> Int64.random(in: 0...50, using: &rng)
            texts.append(String(Bool.random(using: &rng) ? magnitude : -magnitude))
        }
        for text in texts {
            let parsed = try JSONValue.parse(text)
            guard case .number(let n) = parsed else {
                Issue.record("\(text) parsed as \(parsed)")
                continue
            }
            #expect(n == Double(text)!, "\(text)")
            #expect(n.sign == Double(text)!.sign, "\(text)")
        }
        // RFC 8259: no plus sign, no leading zeros, digits on both sides of the point.
        for bad in ["-", "1-2", "--1", "1e", "+1", "0x10", "007", "-01", "1.", ".5", "1.e3", "01.5"] { #expect(throws: JSONParseError.self, "\(bad)") { _ = try JSONValue.parse(bad) } }
    }
}
