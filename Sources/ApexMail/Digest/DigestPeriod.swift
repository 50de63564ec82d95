public import Foundation

/// The period one digest covers: from the end of the user's last digest (or one cadence back)
/// to the last 07:00 in the user's time zone (weekly: the last Monday 07:00), or to now when
/// sent by hand. Its ``key`` names it in the outbox, so one period is never mailed twice.
public struct DigestPeriod: Sendable, Hashable {
    /// `daily` or `weekly`.
    public var cadence: String
    /// The start (exclusive).
    public var start: Date
    /// The end (inclusive).
    public var end: Date

    /// The hour of the day digests are due at, in the user's time zone.
    public static let hour = 7

    /// The length of one period of `cadence` (`daily`: a day, `weekly`: seven), nil for `off` or anything else.
    public static func length(_ cadence: String) -> TimeInterval? {
        switch cadence {
        case "daily": 86_400
        case "weekly": 7 * 86_400
        default: nil
        }
    }

    /// The last time a digest of `cadence` was due at or before `now` in `timeZone`: 07:00 of
    /// today or yesterday (weekly: of the last Monday). Nil for a cadence that is not a digest.
    public static func lastDue(_ cadence: String, before now: Date, in timeZone: TimeZone) -> Date? {
        guard length(cadence) != nil else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        var day = calendar.startOfDay(for: now)
        for _ in 0..<9 {
            if let due = calendar.date(bySettingHour: hour, minute: 0, second: 0, of: day), due <= now,
               cadence == "daily" || calendar.component(.weekday, from: due) == 2 {
                return due
            }
            guard let previous = calendar.date(byAdding: .day, value: -1, to: day) else { return nil }
            day = calendar.startOfDay(for: previous)
        }
        return nil
    }

    /// The period due for a user of `cadence` in `timeZone` whose digests cover up to `covered`:
    /// ending at ``lastDue(_:before:in:)`` (or at `now` when `endingNow`), nil when that end is
    /// covered already.
    public static func due(_ cadence: String, timeZone: TimeZone, covered: Date?, now: Date, endingNow: Bool) -> DigestPeriod? {
        guard let length = length(cadence), let end = endingNow ? now : lastDue(cadence, before: now, in: timeZone) else { return nil }
        let start = covered ?? end.addingTimeInterval(-length)
        guard start < end else { return nil }
        return DigestPeriod(cadence: cadence, start: start, end: end)
    }

    /// `digest:<user>:<cadence>:<end in unix milliseconds>`.
    public func key(user: UUID) -> String {
        "digest:\(user.uuidString.lowercased()):\(cadence):\(Int64((end.timeIntervalSince1970 * 1000).rounded()))"
    }
}
