public import Foundation

/// UTC timestamps with microsecond precision, formatted one stable way.
///
/// `2026-01-27T10:00:00.000000Z`: always six fraction digits, always `Z`. Both stores keep
/// microseconds, so a timestamp survives a round trip through either one unchanged.
public enum Timestamp {
    /// `date` at whole microseconds (see ``microseconds(_:)``).
    public static func truncated(_ date: Date) -> Date {
        Date(timeIntervalSince1970: Double(microseconds(date)) / 1_000_000)
    }

    /// Microseconds since 1970-01-01T00:00:00Z, to the nearest microsecond.
    ///
    /// Nearest, not rounded down: a `Date` is a `Double` that cannot hold every microsecond exactly
    /// (`date(microseconds: m)` may lie a fraction below `m`), and rounding down would then turn
    /// `m` into `m - 1` and change the text, and so the hash, of a stored time.
    public static func microseconds(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1_000_000).rounded())
    }

    /// The date `micros` microseconds after the Unix epoch.
    public static func date(microseconds micros: Int64) -> Date {
        Date(timeIntervalSince1970: Double(micros) / 1_000_000)
    }

    /// The canonical text of `date`.
    public static func format(_ date: Date) -> String {
        let micros = microseconds(date)
        let (days, rem) = floorDivide(micros, 86_400_000_000)
        let (y, m, d) = CivilDate.civil(fromDays: days)
        let secondsOfDay = rem / 1_000_000
        let fraction = rem % 1_000_000
        return pad(y, 4) + "-" + pad(m, 2) + "-" + pad(d, 2) + "T" + pad(secondsOfDay / 3600, 2) + ":"
            + pad(secondsOfDay / 60 % 60, 2) + ":" + pad(secondsOfDay % 60, 2) + "." + pad(fraction, 6) + "Z"
    }

    /// Whether `text` is exactly what ``format(_:)`` writes for some date: 27 bytes,
    /// `YYYY-MM-DDTHH:MM:SS.ffffffZ`, a real calendar day and time (no leap second).
    package static func isCanonical(_ text: String) -> Bool {
        let utf8 = text.utf8
        guard utf8.count == 27 else { return false }
        let ok = utf8.withContiguousStorageIfAvailable { b in
            b[10] == UInt8(ascii: "T") && b[19] == UInt8(ascii: ".") && b[26] == UInt8(ascii: "Z")
                && !(b[17] == UInt8(ascii: "6") && b[18] == UInt8(ascii: "0"))
        }
        return ok == true && parse(text) != nil
    }

    /// Parses `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)` or a bare `YYYY-MM-DD` (midnight UTC).
    public static func parse(_ text: String) -> Date? {
        let chars = Array(text.utf8)
        func num(_ from: Int, _ count: Int) -> Int64? {
            guard from + count <= chars.count else { return nil }
            var v: Int64 = 0
            for c in chars[from..<from + count] {
                guard c >= 48, c <= 57 else { return nil }
                v = v * 10 + Int64(c - 48)
            }
            return v
        }
        guard chars.count >= 10, let y = num(0, 4), chars[4] == 45, let mo = num(5, 2), chars[7] == 45,
            let d = num(8, 2), (1...12).contains(mo), (1...31).contains(d)
        else { return nil }
        let days = CivilDate.days(fromCivil: y, mo, d)
        guard CivilDate.civil(fromDays: days) == (y, mo, d) else { return nil }  // no February 30th
        if chars.count == 10 { return date(microseconds: days * 86_400_000_000) }
        guard chars.count >= 20, chars[10] == 84 || chars[10] == 116, let h = num(11, 2), chars[13] == 58,
            let mi = num(14, 2), chars[16] == 58, let s = num(17, 2), h < 24, mi < 60, s < 61
        else { return nil }
        var i = 19
        var fraction: Int64 = 0
        if chars[i] == 46 {
            i += 1
            var digits = 0
            while i < chars.count, chars[i] >= 48, chars[i] <= 57 {
                if digits < 6 { fraction = fraction * 10 + Int64(chars[i] - 48) }
                digits += 1
                i += 1
            }
            guard digits > 0 else { return nil }
            for _ in digits..<max(digits, 6) { fraction *= 10 }
        }
        var offsetSeconds: Int64 = 0
        guard i < chars.count else { return nil }
        if chars[i] == 90 || chars[i] == 122 {
            i += 1
        } else if chars[i] == 43 || chars[i] == 45, let oh = num(i + 1, 2), chars.count > i + 3, chars[i + 3] == 58,
            let om = num(i + 4, 2), oh < 24, om < 60
        {
            offsetSeconds = (oh * 3600 + om * 60) * (chars[i] == 43 ? 1 : -1)
            i += 6
        } else {
            return nil
        }
        guard i == chars.count else { return nil }
        let seconds = days * 86_400 + h * 3600 + mi * 60 + s - offsetSeconds
        return date(microseconds: seconds * 1_000_000 + fraction)
    }

    private static func floorDivide(_ a: Int64, _ b: Int64) -> (Int64, Int64) {
        let q = a / b
        let r = a % b
        return r < 0 ? (q - 1, r + b) : (q, r)
    }

    private static func pad(_ v: Int64, _ width: Int) -> String {
        let s = String(v)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }
}

/// A calendar day in UTC, such as a license expiry date (`2027-06-30`).
public struct CivilDate: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    /// Days since 1970-01-01.
    public let daysSinceEpoch: Int64

    /// The day with the given year, month (1-12) and day (1-31).
    public init(year: Int, month: Int, day: Int) {
        daysSinceEpoch = Self.days(fromCivil: Int64(year), Int64(month), Int64(day))
    }

    /// The UTC day that contains `date`.
    public init(containing date: Date) {
        let micros = Timestamp.microseconds(date)
        let q = micros / 86_400_000_000
        daysSinceEpoch = micros < 0 && micros % 86_400_000_000 != 0 ? q - 1 : q
    }

    /// Parses `YYYY-MM-DD`.
    public init?(_ text: String) {
        guard text.utf8.count == 10, let date = Timestamp.parse(text) else { return nil }
        self.init(containing: date)
    }

    /// `YYYY-MM-DD`.
    public var description: String { String(Timestamp.format(Timestamp.date(microseconds: daysSinceEpoch * 86_400_000_000)).prefix(10)) }

    /// Days are ordered in time.
    public static func < (lhs: CivilDate, rhs: CivilDate) -> Bool { lhs.daysSinceEpoch < rhs.daysSinceEpoch }

    /// Decodes `YYYY-MM-DD`.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let day = CivilDate(text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "'\(text)' is not a YYYY-MM-DD date")
        }
        self = day
    }

    /// Encodes `YYYY-MM-DD`.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }

    // Howard Hinnant's days_from_civil / civil_from_days.
    static func days(fromCivil y0: Int64, _ m: Int64, _ d: Int64) -> Int64 {
        let y = m <= 2 ? y0 - 1 : y0
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static func civil(fromDays z0: Int64) -> (Int64, Int64, Int64) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (m <= 2 ? yoe + era * 400 + 1 : yoe + era * 400, m, d)
    }
}
