/// The values a numeric calculation input may take, and how to say so in an error message.
struct NumberRange: Sendable, Hashable {
    /// The lower bound.
    var lower: Double
    /// Whether `lower` itself is allowed.
    var lowerInclusive: Bool
    /// The upper bound (always allowed); `.infinity` for none.
    var upper: Double
    /// The unit, e.g. `mph`; empty for a dimensionless factor.
    var unit: String
    /// Why the range is what it is, when that is not obvious.
    var note: String?

    /// `lower ≤ x ≤ upper`.
    static func closed(_ lower: Double, _ upper: Double, unit: String = "") -> NumberRange {
        NumberRange(lower: lower, lowerInclusive: true, upper: upper, unit: unit)
    }

    /// `lower < x ≤ upper`.
    static func positive(upTo upper: Double, unit: String = "") -> NumberRange {
        NumberRange(lower: 0, lowerInclusive: false, upper: upper, unit: unit)
    }

    /// Whether `x` is in range. `x` must be finite.
    func contains(_ x: Double) -> Bool {
        (lowerInclusive ? x >= lower : x > lower) && x <= upper
    }

    /// E.g. `from 60 to 300 mph`, `greater than 0 and at most 5`, `at least 0 lb`.
    var phrase: String {
        let lo = CanonicalJSON.number(lower)
        let hi = CanonicalJSON.number(upper)
        let suffix = unit.isEmpty ? "" : " \(unit)"
        switch (lowerInclusive, upper.isFinite) {
        case (true, true): return "from \(lo) to \(hi)\(suffix)"
        case (false, true): return "greater than \(lo) and at most \(hi)\(suffix)"
        case (true, false): return "at least \(lo)\(suffix)"
        case (false, false): return "greater than \(lo)\(suffix)"
        }
    }
}
