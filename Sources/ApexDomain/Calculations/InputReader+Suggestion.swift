extension InputReader {
    /// The known name a mistyped `name` most likely meant: the same name in another case, or one
    /// within a small edit distance. `nil` when nothing is close.
    static func suggestion(for name: String, among names: [String]) -> String? {
        let lowered = name.lowercased()
        if let sameLetters = names.first(where: { $0.lowercased() == lowered }) {
            return sameLetters
        }
        guard lowered.count >= 2 else { return nil }
        let limit = max(1, lowered.count / 3)
        let scored = names.map { (name: $0, distance: editDistance(lowered, $0.lowercased())) }
        guard let best = scored.min(by: { $0.distance < $1.distance }), best.distance <= limit else { return nil }
        return best.name
    }

    /// The Levenshtein distance between `a` and `b`, counted in characters.
    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a)
        let b = Array(b)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        for i in 1...a.count {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in 1...b.count {
                let substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)
                current[j] = min(previous[j] + 1, current[j - 1] + 1, substitution)
            }
            previous = current
        }
        return previous[b.count]
    }
}
