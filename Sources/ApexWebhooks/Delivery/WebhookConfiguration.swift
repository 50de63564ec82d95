import Foundation

/// How webhooks are delivered. Every setting has an environment variable
/// (``init(environment:)``).
public struct WebhookConfiguration: Sendable {
    /// Which URLs may be reached (`APEX_WEBHOOK_ALLOW_HTTP`, `APEX_WEBHOOK_ALLOW_PRIVATE`).
    public var urlGuard = URLGuard()
    /// Delays before each retry (`APEX_WEBHOOK_RETRY_SCHEDULE`, e.g. `1s,2s,5s`).
    public var retrySchedule = RetrySchedule.standard
    /// How long an attempt may take, answer included (`APEX_WEBHOOK_TIMEOUT`, default 15 s).
    public var timeout: Duration = .seconds(15)
    /// When deliveries to a failing endpoint pause and when it is disabled.
    public var breaker = CircuitBreaker()
    /// How often the worker looks for due messages when nothing woke it.
    public var pollInterval: Duration = .milliseconds(250)
    /// How many endpoints one worker delivers to at once (one attempt at a time to each).
    public var maxConcurrentEndpoints = 32
    /// How long the previous secret keeps signing after a rotation.
    public var rotationOverlap: Duration = .seconds(86_400)

    /// Defaults: https only, public addresses only, the standard schedule.
    public init() {}

    /// Defaults overridden by `APEX_WEBHOOK_*` variables in `environment`.
    public init(environment: [String: String]) throws(WebhooksError) {
        if environment["APEX_WEBHOOK_ALLOW_HTTP"] == "1" { urlGuard.allowHTTP = true }
        if environment["APEX_WEBHOOK_ALLOW_PRIVATE"] == "1" { urlGuard.allowPrivate = true }
        if let text = environment["APEX_WEBHOOK_RETRY_SCHEDULE"], !text.isEmpty { retrySchedule = try RetrySchedule(parsing: text) }
        if let text = environment["APEX_WEBHOOK_TIMEOUT"], !text.isEmpty {
            guard let d = RetrySchedule.duration(text) else { throw WebhooksError(.invalidURL, "APEX_WEBHOOK_TIMEOUT must be a duration such as 15s") }
            timeout = d
        }
    }
}

/// Delays before each retry, with ±20 % jitter: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h by
/// default (Svix's schedule); a message failing them all is failed for good.
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
    public init(parsing text: String) throws(WebhooksError) {
        var delays: [Duration] = []
        for part in text.split(separator: ",") {
            guard let d = Self.duration(part.trimmingCharacters(in: .whitespaces)) else {
                throw WebhooksError(.invalidURL, "APEX_WEBHOOK_RETRY_SCHEDULE must be comma-separated durations such as 1s,2s,5s")
            }
            delays.append(d)
        }
        self.init(delays: delays)
    }

    /// The delay after attempt `attempt` (1-based) failed, with jitter; nil when none is left.
    public func delay(after attempt: Int) -> Duration? {
        guard attempt >= 1, attempt <= delays.count else { return nil }
        let factor = jitter > 0 ? Double.random(in: (1 - jitter)...(1 + jitter)) : 1
        return delays[attempt - 1] * factor
    }

    /// `500ms`, `5s`, `5m`, `2h`, `1d`.
    static func duration(_ text: String) -> Duration? {
        let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600), ("d", 86_400)]
        for (suffix, seconds) in units where text.hasSuffix(suffix) {
            guard let n = Double(text.dropLast(suffix.count)), n >= 0, n.isFinite else { return nil }
            return .milliseconds(Int64(n * seconds * 1000))
        }
        return nil
    }
}

/// The breaker per endpoint: after ``threshold`` failures in a row deliveries to it pause; a
/// probe (the next due message) is tried after ``firstProbe``, doubling up to ``longestProbe``;
/// an endpoint failing for ``disableAfter`` is disabled (`webhook.disabled`, cause `failing`).
public struct CircuitBreaker: Sendable, Hashable {
    /// Failures in a row that open the breaker.
    public var threshold = 5
    /// The first pause.
    public var firstProbe: Duration = .seconds(60)
    /// The longest pause.
    public var longestProbe: Duration = .seconds(3600)
    /// How long an endpoint may fail before it is disabled.
    public var disableAfter: Duration = .seconds(5 * 86_400)

    /// Defaults.
    public init() {}

    /// How long to pause after `failures` in a row; nil while the breaker is closed.
    public func pause(afterFailures failures: Int) -> Duration? {
        guard failures >= threshold else { return nil }
        let doublings = min(failures - threshold, 20)
        let pause = firstProbe * (1 << doublings)
        return min(pause, longestProbe)
    }
}
