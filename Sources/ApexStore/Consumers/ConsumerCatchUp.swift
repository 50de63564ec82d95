public import Logging

/// Brings a consumer's read model up to the log's head for a request that reads it (a search,
/// a usage report), and says how far behind it still is: the one mechanism every queried read
/// model shares.
///
/// While the consumer is behind: if no runner holds its claim and it lags by at most
/// ``inlineLimit`` events, the request handles them itself (under the claim, as a runner would);
/// otherwise it waits for the runner (which an append wakes at once), polling the consumer's
/// saved position, for at most ``wait``.
///
/// ```swift
/// let lag = try await ConsumerCatchUp(consumer, store: store, logger: logger).run()
/// ```
public struct ConsumerCatchUp: Sendable {
    /// The consumer caught up.
    public let consumer: any LogConsumer
    let store: any EventStore
    /// The longest a request waits for the consumer to reach the log's head as of the request;
    /// after it, the request answers from the read model as it is.
    public var wait: Duration
    /// A lag of at most this many events is handled by the request itself when no runner holds
    /// the consumer's claim; a longer lag is left to the runner.
    public var inlineLimit: Int64
    let logger: Logger

    /// Catching `consumer` up on `store`.
    public init(_ consumer: any LogConsumer, store: any EventStore, wait: Duration = .seconds(2), inlineLimit: Int64 = 5_000, logger: Logger) {
        self.consumer = consumer
        self.store = store
        self.wait = wait
        self.inlineLimit = inlineLimit
        self.logger = logger
    }

    /// Catches up, and returns how many events the consumer still lags by (0 when current).
    @discardableResult
    public func run() async throws -> Int64 {
        let head = try await store.headPosition()
        let clock = ContinuousClock()
        let deadline = clock.now + wait
        var pause: Duration = .milliseconds(2)
        while true {
            let position = try await store.consumerPositions().first { $0.name == consumer.name }?.position ?? 0
            guard position < head else { return 0 }
            if head - position <= inlineLimit, try await inline(until: deadline) { continue }
            guard clock.now < deadline else {
                logger.notice("answered from a lagging read model", metadata: ["consumer": "\(consumer.name)", "lag": "\(head - position)"])
                return head - position
            }
            try await Task.sleep(for: pause)
            pause = min(pause * 2, .milliseconds(50))
        }
    }

    /// Runs the consumer to the head under its claim, giving up at `deadline`; false when
    /// another runner holds the claim (or the deadline passed first).
    private func inline(until deadline: ContinuousClock.Instant) async throws -> Bool {
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
