import Foundation
import PropertyBased
import Testing

@testable import ApexDomain

@Suite struct JSONParseTests {
    @Test func parsesEveryKindOfValue() throws {
        let text = #" { "a": [1, -2.5, 3e2, true, false, null], "b": {"c": "d\"e\\f\/g\n\u00e9\ud83d\ude00"}, "": "" } "#
        let value = try JSONValue.parse(text)
        #expect(value == [
            "a": [1, -2.5, 300, true, false, nil],
            "b": ["c": .string("d\"e\\f/g\né😀")],
            "": "",
        ])
    }

    @Test func aRepeatedMemberNameKeepsItsLastValueAtEveryDepth() throws {
        let text = #"{"a":1,"b":{"x":1,"y":{"x":[{"k":1,"k":2}]},"x":2},"a":3,"c":{}}"#
        #expect(try JSONValue.parse(text) == ["a": 3, "b": ["x": 2, "y": ["x": [["k": 2]]]], "c": [:]])
    }

    @Test(arguments: ["", "{", "[1,]", "{\"a\" 1}", "tru", "\"unterminated", "01x", "{\"a\":1} x", "\"\u{01}\"", "\"\\ud800\"", "-", "1e999"])
    func rejectsMalformedText(_ text: String) {
        #expect(throws: JSONParseError.self) { try JSONValue.parse(text) }
    }

    @Test func agreesWithFoundationOnCanonicalOutput() async {
        await propertyCheck(count: 300, input: Gen.int(in: 0...1_000_000)) { seed in
            var rng = Xorshift(seed: UInt64(seed) &+ 1)
            let value = Self.random(&rng, depth: 0)
            let text = CanonicalJSON.bytes(value)
            #expect((try? JSONValue.parse(text)) == value)
            #expect((try? JSONDecoder().decode(JSONValue.self, from: Data(text))) == value)
        }
    }

    struct Xorshift {
        var state: UInt64
        init(seed: UInt64) { state = seed }
        mutating func next() -> UInt64 {
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            return state
        }
    }

    static func random(_ rng: inout Xorshift, depth: Int) -> JSONValue {
        switch rng.next() % (depth > 3 ? 4 : 6) {
        case 0: return .null
        case 1: return .bool(rng.next() % 2 == 0)
        case 2: return .number(Double(Int64(bitPattern: rng.next()) % 1_000_000) / 8)
        case 3: return .string(String((0..<(rng.next() % 6)).map { _ in ["a", "é", "\"", "\\", "\n", "😀", " "][Int(rng.next() % 7)] }.joined()))
        case 4: return .array((0..<(rng.next() % 4)).map { _ in random(&rng, depth: depth + 1) })
        default:
            return .object(Dictionary((0..<(rng.next() % 4)).map { i in ("k\(i)\(rng.next() % 3)", random(&rng, depth: depth + 1)) }, uniquingKeysWith: { a, _ in a }))
        }
    }
}
