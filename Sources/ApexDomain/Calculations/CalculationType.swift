/// The kinds of calculation the engine runs. Each is a pure, deterministic function of its inputs.
///
/// The raw value is the name stored in events and sent over the API:
///
/// ```swift
/// let type = CalculationType(rawValue: "sign_wind_force")   // .signWindForce
/// ```
public enum CalculationType: String, Sendable, Hashable, Codable, CaseIterable {
    /// Velocity pressure `qz` at height `z` (ASCE 7-16 eq. 26.10-1).
    ///
    /// Inputs: `V` (mph), `exposure` (`"B"`, `"C"` or `"D"`), `z` (ft), and optional
    /// `Kzt` = 1.0, `Kd` = 0.85, `Ke` = 1.0. Outputs: `Kz`, `qz` (psf).
    case windVelocityPressure = "wind_velocity_pressure"

    /// Design wind force on a solid freestanding sign (ASCE 7-16 eq. 29.3-1): `F = qh·G·Cf·As`.
    ///
    /// Inputs: `V` (mph), `exposure`, `h` (ft, top of sign), `As` (ft²), `Cf`, and optional
    /// `G` = 0.85, `Kzt`, `Kd`, `Ke`. Outputs: `Kz`, `qh` (psf), `F` (lb).
    case signWindForce = "sign_wind_force"

    /// Bending moment at a pole's base and the section modulus it requires.
    ///
    /// Inputs: `F` (lb), `y` (ft, moment arm), `Fb` (ksi, allowable bending stress).
    /// Outputs: `M = F·y` (lb·ft), `S = M·12/(Fb·1000)` (in³).
    case poleBaseMoment = "pole_base_moment"
}
