public import ApexDomain

/// How a usage report groups days.
public enum UsageInterval: String, Sendable, CaseIterable {
    /// One bucket per UTC day.
    case day
    /// One bucket per ISO week (Monday to Sunday, UTC).
    case week
    /// One bucket per calendar month (UTC).
    case month

    /// The first day of the bucket that holds `day`.
    func start(of day: CivilDate) -> CivilDate {
        switch self {
        case .day: return day
        case .week:
            // 1970-01-01 was a Thursday: three days after a Monday.
            let sinceMonday = ((day.daysSinceEpoch + 3) % 7 + 7) % 7
            return CivilDate(daysSinceEpoch: day.daysSinceEpoch - sinceMonday)
        case .month:
            let (year, month) = day.yearMonth
            return CivilDate(year: year, month: month, day: 1)
        }
    }

    /// The first day of the bucket after the one that starts on `start`.
    func next(after start: CivilDate) -> CivilDate {
        switch self {
        case .day: return CivilDate(daysSinceEpoch: start.daysSinceEpoch + 1)
        case .week: return CivilDate(daysSinceEpoch: start.daysSinceEpoch + 7)
        case .month:
            let (year, month) = start.yearMonth
            return month == 12 ? CivilDate(year: year + 1, month: 1, day: 1) : CivilDate(year: year, month: month + 1, day: 1)
        }
    }
}

/// The days a usage report covers: `from` through `to`, both included, UTC.
public struct UsageRange: Sendable, Hashable {
    /// The first day.
    public let from: CivilDate
    /// The last day.
    public let to: CivilDate

    /// The longest range a report covers: three years (one of them a leap year).
    public static let maximumDays: Int64 = 3 * 365 + 1
    /// The range when `from` is not given: the 30 days ending with `to`.
    public static let defaultDays: Int64 = 30

    /// The range from the query's `from` and `to` (`YYYY-MM-DD`); `to` defaults to `today`,
    /// `from` to ``defaultDays`` days ending with `to`.
    /// - Throws: ``AnalyticsError/Code/invalidQuery`` for a malformed date,
    ///   ``AnalyticsError/Code/invalidRange`` for `from` after `to` or more than ``maximumDays`` days.
    public init(from: String?, to: String?, today: CivilDate) throws(AnalyticsError) {
        func parse(_ text: String?, _ field: String) throws(AnalyticsError) -> CivilDate? {
            guard let text else { return nil }
            guard let day = CivilDate(text), day.description == text else {
                throw AnalyticsError(.invalidQuery, "\(field) must be a day as YYYY-MM-DD (UTC)", field: field)
            }
            return day
        }
        let last = try parse(to, "to") ?? today
        let first = try parse(from, "from") ?? CivilDate(daysSinceEpoch: last.daysSinceEpoch - Self.defaultDays + 1)
        guard first <= last else { throw AnalyticsError(.invalidRange, "from (\(first)) is after to (\(last))", field: "from") }
        guard last.daysSinceEpoch - first.daysSinceEpoch + 1 <= Self.maximumDays else {
            throw AnalyticsError(.invalidRange, "a report covers at most \(Self.maximumDays) days", field: "to")
        }
        self.from = first
        self.to = last
    }

    /// The buckets of `interval` over the range, each cut to the range: (first day, last day).
    func buckets(_ interval: UsageInterval) -> [(first: CivilDate, last: CivilDate)] {
        var out: [(CivilDate, CivilDate)] = []
        var start = interval.start(of: from)
        while start <= to {
            let next = interval.next(after: start)
            out.append((max(start, from), min(CivilDate(daysSinceEpoch: next.daysSinceEpoch - 1), to)))
            start = next
        }
        return out
    }
}

extension CivilDate {
    /// The day `daysSinceEpoch` days after 1970-01-01.
    init(daysSinceEpoch: Int64) {
        self = CivilDate(containing: Timestamp.date(microseconds: daysSinceEpoch * 86_400_000_000))
    }

    /// The day's year and month.
    var yearMonth: (Int, Int) {
        let text = description
        return (Int(text.prefix(4)) ?? 1970, Int(text.dropFirst(5).prefix(2)) ?? 1)
    }
}
