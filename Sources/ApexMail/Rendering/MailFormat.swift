public import Foundation

/// Numbers and dates in mail, formatted for the recipient's locale with Foundation's
/// formatters and a fixed `Locale` (never the process's): `es` writes "3 de diciembre de 2026"
/// and `1.234,5`, `en` "December 3, 2026" and `1,234.5`; dates in the recipient's time zone.
public enum MailFormat {
    /// The Foundation locale of a mail locale (`en` → `en_US`, `es` → `es_ES`).
    static func foundationLocale(_ locale: String) -> Locale {
        Locale(identifier: locale == "es" ? "es_ES" : "en_US")
    }

    /// `date` as a long date (no time) in `locale` and `timeZone`.
    public static func date(_ date: Date, locale: String, timeZone: TimeZone) -> String {
        formatter(locale, timeZone, time: .none).string(from: date)
    }

    /// `date` as a long date and a short time in `locale` and `timeZone`, with the zone's
    /// abbreviation ("December 5, 2026 at 4:45 AM GMT", "5 de diciembre de 2026, 4:45 GMT").
    public static func dateTime(_ date: Date, locale: String, timeZone: TimeZone) -> String {
        formatter(locale, timeZone, time: .short).string(from: date) + " " + (timeZone.abbreviation(for: date) ?? timeZone.identifier)
    }

    /// A long-date formatter of `locale` in `timeZone`, with the time in `time` style.
    private static func formatter(_ locale: String, _ timeZone: TimeZone, time: DateFormatter.Style) -> DateFormatter {
        let formatter = DateFormatter()
        formatter.locale = foundationLocale(locale)
        formatter.timeZone = timeZone
        formatter.dateStyle = .long
        formatter.timeStyle = time
        return formatter
    }

    /// `number` with the grouping and decimal separators of `locale`.
    public static func number(_ number: Double, locale: String, fractionDigits: Int = 2) -> String {
        let formatter = NumberFormatter()
        formatter.locale = foundationLocale(locale)
        formatter.numberStyle = .decimal
        formatter.minimumFractionDigits = 0
        formatter.maximumFractionDigits = fractionDigits
        return formatter.string(from: NSNumber(value: number)) ?? String(number)
    }

    /// `number` as a whole number of `locale`.
    public static func number(_ number: Int, locale: String) -> String { self.number(Double(number), locale: locale, fractionDigits: 0) }
}
