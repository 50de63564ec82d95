extension CalculationEngine {
    /// The allowed basic wind speed: 60 to 300 mph covers every ASCE 7-16 wind map value.
    static let windSpeedRange = NumberRange.closed(60, 300, unit: "mph")
    /// The allowed range of the factors Kzt, Kd, Ke and G.
    static let factorRange = NumberRange.positive(upTo: 5)
    /// The allowed projected sign area.
    static let signAreaRange = NumberRange.positive(upTo: 10_000, unit: "ft²")
    /// The allowed net force coefficient (ASCE 7-16 Fig. 29.3-1 values are below 2.1).
    static let forceCoefficientRange = NumberRange.positive(upTo: 5)

    /// The allowed height for `exposure`: above 0 and up to the gradient height zg, where the
    /// ASCE 7-16 Kz formula stops applying. Below 15 ft the formula uses 15 ft.
    static func heightRange(_ exposure: Exposure) -> NumberRange {
        var range = NumberRange.positive(upTo: exposure.zg, unit: "ft")
        range.note = "the gradient height zg of exposure \(exposure.rawValue); the ASCE 7-16 Kz formula does not apply above it"
        return range
    }

    /// The velocity pressure at one height, with the inputs read for it.
    struct Pressure {
        /// Velocity pressure exposure coefficient.
        var kz: Double
        /// Velocity pressure in psf.
        var q: Double
    }

    /// Reads `V`, `exposure`, the height `heightName`, `Kzt`, `Kd`, `Ke`, and computes Kz and q there.
    static func readPressure(
        _ reader: inout InputReader, heightName: String, heightMeaning: String
    ) throws(DomainError) -> Pressure {
        let v = try reader.number("V", "basic wind speed", in: windSpeedRange)
        let exposure = try reader.exposure()
        let z = try reader.number(heightName, heightMeaning, in: heightRange(exposure))
        let kzt = try reader.number("Kzt", "topographic factor", in: factorRange, default: 1.0)
        let kd = try reader.number("Kd", "wind directionality factor", in: factorRange, default: 0.85)
        let ke = try reader.number("Ke", "ground elevation factor", in: factorRange, default: 1.0)
        let kz = WindPressure.kz(z: z, exposure: exposure)
        return Pressure(kz: kz, q: WindPressure.qz(v: v, kz: kz, kzt: kzt, kd: kd, ke: ke))
    }

    /// `wind_velocity_pressure`: outputs `Kz` and `qz` (psf).
    static func windVelocityPressure(
        _ inputs: [String: JSONValue]
    ) throws(DomainError) -> (inputs: [String: JSONValue], outputs: [String: JSONValue]) {
        var reader = try InputReader(
            .windVelocityPressure, inputs, names: ["V", "exposure", "z", "Kzt", "Kd", "Ke"])
        let pressure = try readPressure(&reader, heightName: "z", heightMeaning: "height above ground")
        return (reader.normalized, ["Kz": .number(pressure.kz), "qz": .number(pressure.q)])
    }

    /// `sign_wind_force`: outputs `Kz`, `qh` (psf) at the top of the sign, and `F` (lb).
    static func signWindForce(
        _ inputs: [String: JSONValue]
    ) throws(DomainError) -> (inputs: [String: JSONValue], outputs: [String: JSONValue]) {
        var reader = try InputReader(
            .signWindForce, inputs, names: ["V", "exposure", "h", "As", "Cf", "G", "Kzt", "Kd", "Ke"])
        let pressure = try readPressure(&reader, heightName: "h", heightMeaning: "height of the top of the sign")
        let area = try reader.number("As", "gross area of the sign", in: signAreaRange)
        let cf = try reader.number("Cf", "net force coefficient", in: forceCoefficientRange)
        let g = try reader.number("G", "gust-effect factor", in: factorRange, default: 0.85)
        let force = WindPressure.signForce(qh: pressure.q, g: g, cf: cf, area: area)
        return (reader.normalized, ["Kz": .number(pressure.kz), "qh": .number(pressure.q), "F": .number(force)])
    }
}
