public import Prometheus
import Synchronization

/// The Prometheus registry one Apex server records into, and the series it keeps: HTTP requests
/// and their latency by route template and status, appends and their latency, verify results,
/// rate-limited requests, and gauges read when scraped (consumer lag, features' queue depths).
///
/// Each server is handed one (``ApexServer`` makes its own when none is given), so several
/// servers in one process, as in the tests, never share counts; `apex-cli serve` also routes the
/// process's swift-metrics into the same registry (``bootstrapSwiftMetrics()``), once.
///
/// ```swift
/// let metrics = ApexMetrics()
/// metrics.registerGauge(name: "apex_webhook_queue_depth", help: "Deliveries waiting.") {
///     [GaugeSample(value: Double(try await queue.depth()))]
/// }
/// let text = await metrics.scrape()   // the Prometheus text format
/// ```
public final class ApexMetrics: Sendable {
    /// The registry everything is recorded into; a feature may make its own series here.
    public let registry: PrometheusCollectorRegistry
    private let gauges = Mutex<[ScrapeGauge]>([])
    private let appendDuration: DurationHistogram

    /// Latency buckets for requests and appends: 1 ms to 10 s.
    public static let latencyBuckets: [Duration] = [
        .milliseconds(1), .milliseconds(2.5), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
        .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5), .seconds(10),
    ]

    /// A registry of its own, with the store's series made up front (so a scrape shows them at 0).
    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
        appendDuration = registry.makeDurationHistogram(descriptor: Family.appendDuration, buckets: Self.latencyBuckets)
        for outcome in AppendOutcome.allCases { _ = appendCounter(outcome) }
        for outcome in [true, false] { _ = verifyCounter(ok: outcome) }
    }

    /// How an append ended.
    public enum AppendOutcome: String, Sendable, CaseIterable {
        /// Written (or recognized as a duplicate of one written).
        case ok
        /// Refused: the stream was not at the expected version.
        case conflict
        /// Failed for another reason.
        case error
    }

    /// Records an HTTP request answered with `status` after `duration`. `route` is the route's
    /// template (`/v1/projects/{id}`), never the raw path, so ids never become labels.
    public func recordRequest(method: String, route: String, status: Int, duration: Duration) {
        let labels = [("method", method), ("route", route), ("status", String(status))]
        registry.makeCounter(descriptor: Family.requests, labels: labels).increment()
        registry.makeDurationHistogram(descriptor: Family.requestDuration, labels: labels, buckets: Self.latencyBuckets).record(duration)
    }

    /// Records an append of `events` events that ended with `outcome` after `duration`.
    public func recordAppend(events: Int, outcome: AppendOutcome, duration: Duration) {
        appendCounter(outcome).increment()
        if outcome == .ok {
            registry.makeCounter(descriptor: Family.appendedEvents).increment(by: Int64(events))
        }
        appendDuration.record(duration)
    }

    /// Records a verification of the log that passed (`ok`) or found failures.
    public func recordVerify(ok: Bool) { verifyCounter(ok: ok).increment() }

    /// Records a request refused with 429 by the rate-limit `policy` (`address`, `user`, `public`, `unauthorized`).
    public func recordRateLimited(policy: String) {
        registry.makeCounter(descriptor: Family.rateLimited, labels: [("policy", policy)]).increment()
    }

    /// Registers a gauge family read at every scrape: `read` returns one sample per label set
    /// (an empty set of labels for a single series). A failing read keeps the last values and
    /// counts the failure in `apex_metrics_read_failures_total{series}`. Every sample of a
    /// family must have the same label names. Registering a name again replaces its reading.
    public func registerGauge(name: String, help: String, read: @escaping @Sendable () async throws -> [GaugeSample]) {
        gauges.withLock { gauges in
            gauges.removeAll { $0.name == name }
            gauges.append(ScrapeGauge(name: name, help: help, read: read))
        }
    }

    /// Reads every registered gauge, then the registry in the Prometheus text format (0.0.4).
    public func scrape() async -> String {
        let gauges = gauges.withLock { $0 }
        for gauge in gauges {
            do {
                for sample in try await gauge.read() {
                    let family = Family.named(gauge.name, gauge.help)
                    if sample.labels.isEmpty {
                        registry.makeGauge(descriptor: family).set(sample.value)
                    } else {
                        registry.makeGauge(descriptor: family, labels: sample.labels).set(sample.value)
                    }
                }
            } catch {
                registry.makeCounter(descriptor: Family.gaugeReadFailures, labels: [("series", gauge.name)]).increment()
            }
        }
        return registry.emitToString()
    }

    /// The content type of ``scrape()``'s text.
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    private func appendCounter(_ outcome: AppendOutcome) -> Counter {
        registry.makeCounter(descriptor: Family.appends, labels: [("outcome", outcome.rawValue)])
    }

    private func verifyCounter(ok: Bool) -> Counter {
        registry.makeCounter(descriptor: Family.verifyRuns, labels: [("outcome", ok ? "ok" : "failed")])
    }

    /// The names and help texts of the series.
    enum Family {
        static var requests: MetricNameDescriptor { named("apex_http_requests_total", "HTTP requests answered, by method, route template and status.") }
        static var requestDuration: MetricNameDescriptor {
            named("apex_http_request_duration_seconds", "Time from a request's head to its answer's head, by method, route template and status.")
        }
        static var appends: MetricNameDescriptor { named("apex_store_appends_total", "Appends to the store, by outcome.") }
        static var appendedEvents: MetricNameDescriptor { named("apex_store_appended_events_total", "Events appended to the store.") }
        static var appendDuration: MetricNameDescriptor { named("apex_store_append_duration_seconds", "Time to append one batch of events to the store, whatever the outcome.") }
        static var verifyRuns: MetricNameDescriptor { named("apex_verify_runs_total", "Verifications of the log run by the server, by outcome (failed: at least one failure found).") }
        static var rateLimited: MetricNameDescriptor { named("apex_rate_limited_total", "Requests refused with 429, by rate-limit policy.") }
        static var gaugeReadFailures: MetricNameDescriptor { named("apex_metrics_read_failures_total", "Scrapes whose reading of a gauge failed (its last values were kept).") }

        /// A family called `name` exactly (no namespace or unit appended).
        static func named(_ name: String, _ help: String) -> MetricNameDescriptor {
            MetricNameDescriptor(metricName: name, unitName: "", helpText: help)
        }
    }
}
