import ApexDomain
import Foundation
import Testing

/// ``TextRules``: every control character is refused (C0, DEL, C1); tab and line breaks only in
/// single-line text; everything else, however exotic, is text.
@Suite struct TextRulesTests {
    static let controls: [Unicode.Scalar] = [0x00, 0x01, 0x07, 0x1B, 0x1F, 0x7F, 0x80, 0x85, 0x9B, 0x9F].map { Unicode.Scalar($0)! }
    static let lineBreaks: [Unicode.Scalar] = ["\t", "\n", "\r"]
    static let text = ["Pylon", "Zürich – Nord", "東京", "🪧 sign", "a\u{00A0}b", "\u{200B}", "\u{2028}", "\u{FEFF}"]

    @Test(arguments: controls)
    func controlsAreRefusedEverywhere(_ scalar: Unicode.Scalar) {
        for multiline in [false, true] {
            #expect(throws: DomainError.self) { try TextRules.check("a\(Character(scalar))b", field: "f", multiline: multiline) }
        }
        do {
            try TextRules.check("ab\(Character(scalar))", field: "site.city")
            Issue.record("accepted")
        } catch {
            #expect(error.code == .invalidText)
            #expect(error.field == "site.city")
            #expect(error.message.contains("at character 3"))
        }
    }

    @Test(arguments: lineBreaks)
    func lineBreaksOnlyInMultiLineText(_ scalar: Unicode.Scalar) throws {
        #expect(throws: DomainError.self) { try TextRules.check("a\(Character(scalar))b", field: "name") }
        try TextRules.check("a\(Character(scalar))b", field: "description", multiline: true)
    }

    @Test(arguments: text)
    func otherTextIsAccepted(_ value: String) throws {
        try TextRules.check(value, field: "name")
    }
}
