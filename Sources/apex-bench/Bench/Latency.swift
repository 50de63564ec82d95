import Histogram

/// Latencies in microseconds, in an HDR histogram (3 significant digits, up to 10 minutes).
struct LatencyRecorder: Sendable {
    private(set) var histogram = Histogram<UInt64>(highestTrackableValue: 600_000_000, numberOfSignificantValueDigits: .three)

    var count: UInt64 { histogram.totalCount }

    mutating func record(_ duration: Duration) {
        histogram.record(Self.microseconds(duration))
    }

    /// Records a latency measured from a scheduled start (open-loop load), so a request that
    /// waited behind a slow one still counts its wait (no coordinated omission).
    mutating func record(microseconds: UInt64) {
        histogram.record(microseconds)
    }

    mutating func merge(_ other: LatencyRecorder) {
        histogram.add(other.histogram)
    }

    var summary: LatencySummary? {
        guard histogram.totalCount > 0 else { return nil }
        func ms(_ p: Double) -> Double { Double(histogram.valueAtPercentile(p)) / 1000 }
        return LatencySummary(
            count: Int(histogram.totalCount), p50: ms(50), p95: ms(95), p99: ms(99), p999: ms(99.9),
            max: Double(histogram.max) / 1000, mean: histogram.mean / 1000)
    }

    static func microseconds(_ d: Duration) -> UInt64 {
        let c = d.components
        return UInt64(max(0, c.seconds)) * 1_000_000 + UInt64(max(0, c.attoseconds)) / 1_000_000_000_000
    }
}

/// Latency percentiles in milliseconds.
struct LatencySummary: Codable, Sendable {
    var count: Int
    var p50: Double
    var p95: Double
    var p99: Double
    var p999: Double
    var max: Double
    var mean: Double
}

extension Duration {
    /// The duration in seconds, as a floating-point number.
    var seconds: Double {
        let c = components
        return Double(c.seconds) + Double(c.attoseconds) / 1e18
    }
}
