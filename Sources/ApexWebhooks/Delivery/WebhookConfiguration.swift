public import ApexStore
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
        if let text = environment["APEX_WEBHOOK_RETRY_SCHEDULE"], !text.isEmpty {
            do { retrySchedule = try RetrySchedule(parsing: text) } catch {
                throw WebhooksError(.invalidURL, "APEX_WEBHOOK_RETRY_SCHEDULE must be comma-separated durations such as 1s,2s,5s")
            }
        }
        if let text = environment["APEX_WEBHOOK_TIMEOUT"], !text.isEmpty {
            guard let d = RetrySchedule.duration(text) else { throw WebhooksError(.invalidURL, "APEX_WEBHOOK_TIMEOUT must be a duration such as 15s") }
            timeout = d
        }
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
