extension CalculationEngine {
    /// The allowed horizontal force: 0 to 10,000 kips, far above any sign's, and bounded so `M` stays finite.
    static let forceRange = NumberRange.closed(0, 10_000_000, unit: "lb")
    /// The allowed moment arm.
    static let momentArmRange = NumberRange.positive(upTo: 1_000, unit: "ft")
    /// The allowed allowable bending stress (structural steels and aluminum are well inside it).
    static let bendingStressRange = NumberRange.positive(upTo: 100, unit: "ksi")

    /// `pole_base_moment`: outputs `M = F·y` (lb·ft) and the required section modulus
    /// `S = M·12/(Fb·1000)` (in³).
    static func poleBaseMoment(
        _ inputs: [String: JSONValue]
    ) throws(DomainError) -> (inputs: [String: JSONValue], outputs: [String: JSONValue]) {
        var reader = try InputReader(.poleBaseMoment, inputs, names: ["F", "y", "Fb"])
        let force = try reader.number("F", "horizontal wind force", in: forceRange)
        let arm = try reader.number("y", "moment arm, from the base to the force's line of action", in: momentArmRange)
        let fb = try reader.number("Fb", "allowable bending stress", in: bendingStressRange)
        let moment = force * arm
        let sectionModulus = moment * 12 / (fb * 1000)
        return (reader.normalized, ["M": .number(moment), "S": .number(sectionModulus)])
    }
}
