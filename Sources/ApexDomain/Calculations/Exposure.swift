/// A wind exposure category (ASCE 7-16 §26.7) with its terrain constants from Table 26.11-1.
///
/// ```swift
/// Exposure.c.alpha   // 9.5
/// Exposure.c.zg      // 900 (ft)
/// ```
public enum Exposure: String, Sendable, Hashable, Codable, CaseIterable {
    /// Urban and suburban areas, wooded areas, closely spaced obstructions.
    case b = "B"
    /// Open terrain with scattered obstructions; the usual default.
    case c = "C"
    /// Flat, unobstructed areas and water surfaces.
    case d = "D"

    /// The power-law exponent α of the wind speed profile.
    public var alpha: Double {
        switch self {
        case .b: 7.0
        case .c: 9.5
        case .d: 11.5
        }
    }

    /// The nominal height of the atmospheric boundary layer zg, in feet.
    public var zg: Double {
        switch self {
        case .b: 1200
        case .c: 900
        case .d: 700
        }
    }
}
