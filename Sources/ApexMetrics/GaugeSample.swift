/// One value of a gauge read at scrape time (``ApexMetrics/registerGauge(name:help:read:)``).
public struct GaugeSample: Sendable {
    /// The series' labels, e.g. `[("consumer", "webhooks")]`; empty for a gauge with one series.
    public var labels: [(String, String)]
    /// The value now.
    public var value: Double

    /// A sample of `value` for the series with `labels`.
    public init(labels: [(String, String)] = [], value: Double) {
        self.labels = labels
        self.value = value
    }
}

/// A registered gauge family and how to read it.
struct ScrapeGauge: Sendable {
    let name: String
    let help: String
    let read: @Sendable () async throws -> [GaugeSample]
}
