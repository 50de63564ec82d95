public import ApexStore
import Logging

extension SearchIndex {
    /// Brings the index up to the log's head as of now, and returns how many events it still
    /// lags by (0 when current).
    ///
    /// While the `search` consumer is behind: if no runner holds its claim and it lags by at
    /// most ``Options/inlineCatchUpLimit`` events, this call indexes them itself (under the
    /// claim, as a runner would); otherwise it waits for the runner (which an append wakes at
    /// once), polling the consumer's saved position, for at most ``Options/catchUpWait``.
    @discardableResult
    public func catchUp() async throws -> Int64 {
        guard backend != nil else { return 0 }
        let head = try await store.headPosition()
        let clock = ContinuousClock()
        let deadline = clock.now + options.catchUpWait
        var pause: Duration = .milliseconds(2)
        while true {
            let position = try await store.consumerPositions().first { $0.name == consumer.name }?.position ?? 0
            guard position < head else { return 0 }
            if head - position <= options.inlineCatchUpLimit, try await inlineCatchUp(until: deadline) { continue }
            guard clock.now < deadline else {
                logger.notice("search answered from a lagging index", metadata: ["search.lag": "\(head - position)"])
                return head - position
            }
            try await Task.sleep(for: pause)
            pause = min(pause * 2, .milliseconds(50))
        }
    }

    /// Runs the consumer to the head under its claim, giving up at `deadline`; false when
    /// another runner holds the claim (or the deadline passed first).
    private func inlineCatchUp(until deadline: ContinuousClock.Instant) async throws -> Bool {
        var runnerOptions = ConsumerRunner.Options()
        runnerOptions.initialBackoff = .milliseconds(50)
        let runner = ConsumerRunner(consumer, store: store, options: runnerOptions, logger: logger)
        return try await withThrowingTaskGroup(of: Bool.self) { group in
            group.addTask { try await runner.catchUp() != nil }
            group.addTask {
                try await Task.sleep(until: deadline, clock: ContinuousClock())
                return false
            }
            let first = try await group.next() ?? false
            group.cancelAll()
            return first
        }
    }
}
