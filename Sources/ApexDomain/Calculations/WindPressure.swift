import Foundation

/// The ASCE 7-16 wind formulas as plain functions of `Double`s. Validation happens before these run.
///
/// The order of the multiplications is fixed: changing it may change the last bit of a result,
/// and with it every result hash, so any change here needs a new ``CalculationEngine/version``.
enum WindPressure {
    /// The height below which `Kz` is constant (ASCE 7-16 Table 26.10-1, note 1), in feet.
    static let minimumHeight = 15.0

    /// Velocity pressure exposure coefficient `Kz = 2.01·(max(z,15)/zg)^(2/α)`.
    static func kz(z: Double, exposure: Exposure) -> Double {
        2.01 * pow(max(z, minimumHeight) / exposure.zg, 2 / exposure.alpha)
    }

    /// Velocity pressure `qz = 0.00256·Kz·Kzt·Kd·Ke·V²` in psf, for `V` in mph (eq. 26.10-1).
    static func qz(v: Double, kz: Double, kzt: Double, kd: Double, ke: Double) -> Double {
        0.00256 * kz * kzt * kd * ke * v * v
    }

    /// Design wind force on a sign `F = qh·G·Cf·As` in lb (eq. 29.3-1).
    static func signForce(qh: Double, g: Double, cf: Double, area: Double) -> Double {
        qh * g * cf * area
    }
}
