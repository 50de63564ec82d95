import Foundation

/// What a person typed into a search box, parsed once into the query languages of both stores
/// (SQLite FTS5 `MATCH` and PostgreSQL `to_tsquery`), so that both find the same things.
///
/// The syntax is the web-search one PostgreSQL's `websearch_to_tsquery` reads: words (all must
/// match), `"quoted phrases"`, `-word` to exclude, `or` between alternatives. In addition, the
/// last word is a **prefix** while the user is still typing it (the text does not end in a
/// space): `pyl` finds "Pylon". `websearch_to_tsquery` cannot express a prefix, hence the one
/// parser for both. Words are runs of letters and digits, compared without case.
///
/// ```swift
/// let query = try SearchQuery("pylon aus")   // pylon AND aus*
/// query.fts5Pattern                          // "pylon" AND "aus"*
/// query.tsquery                              // ( 'pylon' & 'aus':* )
/// ```
public struct SearchQuery: Sendable, Hashable {
    /// One thing to match: a word, or a phrase of words in a row.
    struct Term: Sendable, Hashable {
        var words: [String]
        var negated = false
        var prefix = false
    }

    /// The text as given.
    public let text: String
    /// Alternatives (`or`), each a conjunction of terms with at least one not negated.
    let groups: [[Term]]

    /// The longest search text, in characters.
    public static let maximumLength = 200
    /// The most terms a query may hold.
    public static let maximumTerms = 32

    /// Parses `text`; throws ``SearchError/Code/invalidQuery`` for an empty or overlong text, one
    /// holding control characters, or one with nothing to find (only exclusions or punctuation).
    public init(_ text: String) throws(SearchError) {
        guard text.count <= Self.maximumLength else {
            throw SearchError(.invalidQuery, "q must be at most \(Self.maximumLength) characters", field: "q")
        }
        guard !text.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw SearchError(.invalidQuery, "q must not hold control characters", field: "q")
        }
        var groups: [[Term]] = [[]]
        var scanner = Substring(text)
        var lastToken: Token?
        while let token = Self.nextToken(&scanner) {
            lastToken = token
            if token.isOr {
                if !(groups.last!.isEmpty) { groups.append([]) }
                continue
            }
            guard let term = token.term else { continue }
            groups[groups.count - 1].append(term)
        }
        groups.removeAll { $0.isEmpty }
        guard !groups.isEmpty else { throw SearchError(.invalidQuery, "q must hold a word to find", field: "q") }
        guard groups.allSatisfy({ $0.contains { !$0.negated } }) else {
            throw SearchError(.invalidQuery, "q must hold a word to find besides the excluded ones", field: "q")
        }
        guard groups.joined().count <= Self.maximumTerms else {
            throw SearchError(.invalidQuery, "q may hold at most \(Self.maximumTerms) words and phrases", field: "q")
        }
        // The last word is a prefix while it is being typed: the text ends in it, not in a space,
        // a quote or punctuation.
        if let last = text.unicodeScalars.last, last.properties.isAlphabetic || last.properties.numericType != nil,
            let typed = lastToken?.term, typed == groups.last?.last, !typed.negated, typed.isBareWord
        {
            groups[groups.count - 1][groups[groups.count - 1].count - 1].prefix = true
        }
        self.text = text
        self.groups = groups
    }

    /// The FTS5 `MATCH` pattern: each word quoted (so nothing in it is syntax), exclusions last
    /// in their group, groups joined by `OR`.
    public var fts5Pattern: String {
        groups.map { group in
            let positive = group.filter { !$0.negated }.map(Self.fts5).joined(separator: " AND ")
            let negative = group.filter(\.negated).map { " NOT " + Self.fts5($0) }.joined()
            return "(" + positive + negative + ")"
        }.joined(separator: " OR ")
    }

    /// The `to_tsquery` text: lexemes quoted, phrases with `<->`, the prefix with `:*`.
    public var tsquery: String {
        groups.map { group in
            "( " + group.map { term in
                let words = term.words.map { "'" + $0.replacingOccurrences(of: "'", with: "''") + "'" }
                var text = words.joined(separator: " <-> ")
                if term.prefix { text += ":*" }
                if term.words.count > 1 { text = "( " + text + " )" }
                return (term.negated ? "!" : "") + text
            }.joined(separator: " & ") + " )"
        }.joined(separator: " | ")
    }

    /// Whether every term is a plain word that is not excluded: the query then means "all of these".
    public var isPlainWords: Bool { groups.count == 1 && groups[0].allSatisfy { !$0.negated && $0.isBareWord } }

    private static func fts5(_ term: Term) -> String {
        "\"" + term.words.joined(separator: " ") + "\"" + (term.prefix ? "*" : "")
    }
}

extension SearchQuery.Term {
    /// A single word, not a phrase.
    var isBareWord: Bool { words.count == 1 }
}

extension SearchQuery {
    /// A token of the text: `or`, a term, or nothing to find (punctuation).
    struct Token {
        var isOr = false
        var term: Term?
    }

    /// Reads the next token from `text`; nil at the end.
    static func nextToken(_ text: inout Substring) -> Token? {
        text = text.drop { $0.isWhitespace }
        guard !text.isEmpty else { return nil }
        var negated = false
        if text.first == "-" {
            negated = true
            text = text.dropFirst()
        }
        let raw: Substring
        var quoted = false
        if text.first == "\"" {
            quoted = true
            let body = text.dropFirst()
            let end = body.firstIndex(of: "\"") ?? body.endIndex
            raw = body[..<end]
            text = end < body.endIndex ? body[body.index(after: end)...] : body[end...]
        } else {
            let end = text.firstIndex { $0.isWhitespace || $0 == "\"" } ?? text.endIndex
            raw = text[..<end]
            text = text[end...]
        }
        if !quoted, !negated, raw.lowercased() == "or" { return Token(isOr: true) }
        let words = Self.words(raw)
        guard !words.isEmpty else { return Token() }
        return Token(term: Term(words: words, negated: negated))
    }

    /// The runs of letters and digits in `text`, lowercased: how both indexes split text.
    static func words(_ text: Substring) -> [String] {
        var words: [String] = []
        var current = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if scalar.properties.isAlphabetic || scalar.properties.numericType != nil {
                current.append(scalar)
            } else if !current.isEmpty {
                words.append(String(current).lowercased())
                current = String.UnicodeScalarView()
            }
        }
        if !current.isEmpty { words.append(String(current).lowercased()) }
        return words
    }
}
