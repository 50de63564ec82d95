import CoreMetrics
import Prometheus
import Synchronization

/// Whether this process's swift-metrics has been bootstrapped by ``ApexMetrics/bootstrapSwiftMetrics()``.
private let bootstrapped = Mutex(false)

extension ApexMetrics {
    /// Routes this process's swift-metrics (`Counter(label:)`, `Timer(label:)` in libraries)
    /// into ``registry``. swift-metrics can be bootstrapped once per process: a program that
    /// serves (`apex-cli serve`) calls this once; an app embedding Apex that bootstraps its own
    /// backend does not, and tests never do. Returns false, changing nothing, when this process
    /// has bootstrapped already through this method.
    @discardableResult
    public func bootstrapSwiftMetrics() -> Bool {
        bootstrapped.withLock { done in
            guard !done else { return false }
            MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
            done = true
            return true
        }
    }
}
