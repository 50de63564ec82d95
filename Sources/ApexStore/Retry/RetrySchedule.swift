import Foundation

/// Delays before each retry, with ±20 % jitter: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h by
/// default (Svix's schedule); work failing them all is failed for good. One schedule for every
/// feature that retries (webhook deliveries, mail).
public struct RetrySchedule: Sendable, Hashable {
    /// The delays.
    public var delays: [Duration]
    /// The fraction of jitter either way.
    public var jitter = 0.2

    /// The standard schedule.
    public static let standard = RetrySchedule(delays: [.seconds(5), .seconds(300), .seconds(1800), .seconds(7200), .seconds(18_000), .seconds(36_000), .seconds(36_000)])

    /// A schedule of `delays`.
    public init(delays: [Duration], jitter: Double = 0.2) {
        self.delays = delays
        self.jitter = jitter
    }

    /// Parses comma-separated durations: `500ms`, `5s`, `5m`, `2h`, `1d`.
    public init(parsing text: String) throws(RetryScheduleError) {
        var delays: [Duration] = []
        for part in text.split(separator: ",") {
            let piece = part.trimmingCharacters(in: .whitespaces)
            guard let d = Self.duration(piece) else { throw RetryScheduleError(text: piece) }
            delays.append(d)
        }
        guard !delays.isEmpty else { throw RetryScheduleError(text: text) }
        self.init(delays: delays)
    }

    /// The delay after attempt `attempt` (1-based) failed, with jitter; nil when none is left.
    public func delay(after attempt: Int) -> Duration? {
        guard attempt >= 1, attempt <= delays.count else { return nil }
        let factor = jitter > 0 ? Double.random(in: (1 - jitter)...(1 + jitter)) : 1
        return delays[attempt - 1] * factor
    }

    /// `500ms`, `5s`, `5m`, `2h`, `1d`; nil for anything else.
    public static func duration(_ text: String) -> Duration? {
        let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600), ("d", 86_400)]
        for (suffix, seconds) in units where text.hasSuffix(suffix) {
            guard let n = Double(text.dropLast(suffix.count)), n >= 0, n.isFinite else { return nil }
            return .milliseconds(Int64(n * seconds * 1000))
        }
        return nil
    }
}

/// A retry schedule that does not parse: ``text`` is the piece that is not a duration.
public struct RetryScheduleError: Error, Sendable, CustomStringConvertible {
    /// The piece that is not a duration such as `5s`.
    public let text: String

    /// An error about `text`.
    public init(text: String) { self.text = text }

    /// Says what is expected.
    public var description: String { "\"\(text)\" is not a retry schedule: comma-separated durations such as 1s,2s,5s (ms, s, m, h, d)" }
}
