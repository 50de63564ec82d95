import ApexDomain
import Foundation
import PropertyBased
import Testing

/// `CanonicalJSON.value(of:)` builds the tree directly; it must be the tree that the domain
/// encoder's text parses to, or state hashes and payloads would change with the implementation.
@Suite("Encoding into JSONValue")
struct JSONValueEncoderTests {
    static func viaText<T: Encodable>(_ value: T) throws -> JSONValue { try JSONValue.parse(try DomainCoder.encoder.encode(value)) }

    @Test func statesAndPayloadsOfRandomSessionsMatchTheTextPath() async {
        await propertyCheck(count: 100, input: Sessions.steps) { steps in
            let (session, _) = try Sessions.play(steps)
            for state in session.states {
                #expect(try CanonicalJSON.value(of: state) == Self.viaText(state))
            }
            for event in session.events {
                #expect(try CanonicalJSON.value(of: event) == Self.viaText(event))
            }
        }
    }

    struct Odd: Codable {
        var f: Float = 0.1
        var big: UInt64 = .max
        var small: Int8 = -128
        var when = Date(timeIntervalSince1970: 1_795_000_000.123456)
        var bytes = Data([0, 1, 2, 254, 255])
        var missing: String? = nil
        var present: String? = "x"
        var nested: [String: [Int?]] = ["a": [1, nil, 3], "b": []]
        var keyed: [Int: String] = [3: "three", 1: "one"]
        var byID: [UUID: Bool] = [UUID(uuidString: "6F9619FF-8B86-D011-B42D-00C04FC964FF")!: true]
        var any: JSONValue = ["k": [1.5, "s", nil, false]]
    }

    @Test func edgeCasesMatchTheTextPath() throws {
        #expect(try CanonicalJSON.value(of: Odd()) == Self.viaText(Odd()))
        #expect(try CanonicalJSON.value(of: [Odd(), Odd()]) == Self.viaText([Odd(), Odd()]))
        #expect(try CanonicalJSON.value(of: "top") == Self.viaText("top"))
        #expect(throws: EncodingError.self) { _ = try CanonicalJSON.value(of: ["nan": Double.nan]) }
    }
}
