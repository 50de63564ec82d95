public import Foundation

/// The `Retry-After` header of a 429 or 503 answer (RFC 9110 §10.2.3): delay-seconds or an
/// HTTP-date (IMF-fixdate, and the obsolete RFC 850 and asctime forms a recipient must accept).
public enum RetryAfter {
    /// The longest wait honoured: a day.
    public static let longest: Duration = .seconds(86_400)

    /// How long `value` asks to wait from `now` (0 for a date in the past, at most ``longest``);
    /// nil when it is neither form.
    public static func parse(_ value: String, now: Date = Date()) -> Duration? {
        let text = value.trimmingCharacters(in: .whitespaces)
        if !text.isEmpty, text.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) {
            // A huge number of seconds is still "wait the longest".
            guard let seconds = Int64(text) else { return longest }
            return min(.seconds(seconds), longest)
        }
        // asctime pads a one-digit day with a space: "Sun Nov  6 08:49:37 1994".
        let single = text.split(separator: " ").joined(separator: " ")
        for format in formats {
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = TimeZone(identifier: "GMT")
            formatter.dateFormat = format
            if let date = formatter.date(from: single) {
                let seconds = max(0, date.timeIntervalSince(now))
                return min(.milliseconds(Int64((seconds * 1000).rounded(.up))), longest)
            }
        }
        return nil
    }

    /// IMF-fixdate, RFC 850, asctime.
    static let formats = ["EEE, dd MMM yyyy HH:mm:ss 'GMT'", "EEEE, dd-MMM-yy HH:mm:ss 'GMT'", "EEE MMM d HH:mm:ss yyyy"]
}
