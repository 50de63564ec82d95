@testable import ApexSearch
import Testing

/// The search text's syntax, read once into FTS5 and tsquery forms.
@Suite struct SearchQueryTests {
    @Test(arguments: [
        ("pylon", #"("pylon"*)"#, "( 'pylon':* )"),
        ("pylon ", #"("pylon")"#, "( 'pylon' )"),
        ("Pylon AUS", #"("pylon" AND "aus"*)"#, "( 'pylon' & 'aus':* )"),
        (#""monument sign" austin"#, #"("monument sign" AND "austin"*)"#, "( ( 'monument' <-> 'sign' ) & 'austin':* )"),
        (#"pylon "monument sign""#, #"("pylon" AND "monument sign")"#, "( 'pylon' & ( 'monument' <-> 'sign' ) )"),
        ("pylon -draft", #"("pylon" NOT "draft")"#, "( 'pylon' & !'draft' )"),
        ("-draft pylon", #"("pylon"* NOT "draft")"#, "( !'draft' & 'pylon':* )"),
        ("pylon or gantry", #"("pylon") OR ("gantry"*)"#, "( 'pylon' ) | ( 'gantry':* )"),
        ("a or or b", #"("a") OR ("b"*)"#, "( 'a' ) | ( 'b':* )"),
        ("or pylon or", #"("pylon")"#, "( 'pylon' )"),
        (#"it's 2025!"#, #"("it s" AND "2025")"#, "( ( 'it' <-> 's' ) & '2025' )"),
        ("Zürich", #"("zürich"*)"#, "( 'zürich':* )"),
        (#"x" OR "y"#, #"("x" AND "or" AND "y"*)"#, "( 'x' & 'or' & 'y':* )"),
    ])
    func parses(_ text: String, _ fts5: String, _ tsquery: String) throws {
        let query = try SearchQuery(text)
        #expect(query.fts5Pattern == fts5, "\(text)")
        #expect(query.tsquery == tsquery, "\(text)")
    }

    @Test(arguments: ["", "   ", "!!!", "-pylon", "pylon or -gantry", "\"\"", "or", String(repeating: "a", count: 201), "pylon\u{0}", "a\tb"])
    func refuses(_ text: String) {
        #expect(throws: SearchError.self) { try SearchQuery(text) }
        do { _ = try SearchQuery(text) } catch { #expect(error.code == .invalidQuery && error.field == "q") }
    }

    @Test func quotesInWordsNeverBecomeSyntax() throws {
        // Only letters and digits reach either language: nothing a user types is syntax there.
        let query = try SearchQuery(#"a"b' NEAR(c) *d^ {col}:x"#)
        #expect(!query.fts5Pattern.contains("NEAR("))
        #expect(!query.tsquery.contains("''"))
    }
}
