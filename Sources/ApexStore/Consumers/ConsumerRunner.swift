public import ApexDomain
public import Logging

/// Runs one ``LogConsumer``: claims it, reads the log from its saved position a page at a time,
/// hands each page to the consumer, then saves the page's last position (compare-and-set, so
/// a reset or another runner is noticed instead of overwritten). At least once: the position
/// is saved after the work, so a crash repeats a page and never skips one.
///
/// Once caught up it waits on the store's append signal (in-process for SQLite and memory,
/// LISTEN/NOTIFY on PostgreSQL), not by polling; every ``Options/idleWait`` it also re-reads
/// its saved position, to notice a reset (`apex-cli projections rebuild NAME`). A failing
/// page, or a failing store, is retried after a backoff that doubles up to
/// ``Options/maximumBackoff``; the error is recorded as the consumer's ``ConsumerPosition/lastError``.
///
/// ```swift
/// let runner = ConsumerRunner(AuditTail(), store: store, logger: logger)
/// try await runner.run()          // until cancelled
/// ```
public struct ConsumerRunner: Sendable {
    /// How a runner pages, waits and retries.
    public struct Options: Sendable {
        /// Events per page handed to the consumer.
        public var pageSize = 500
        /// How long a caught-up runner waits for an append before re-reading its saved position.
        public var idleWait: Duration = .seconds(5)
        /// The first backoff after a failure; it doubles with each failure in a row.
        public var initialBackoff: Duration = .milliseconds(250)
        /// The longest backoff.
        public var maximumBackoff: Duration = .seconds(60)
        /// How often a runner whose consumer is claimed elsewhere tries to take the claim.
        public var claimRetry: Duration = .seconds(5)

        /// Defaults.
        public init() {}
    }

    /// The consumer run.
    public let consumer: any LogConsumer
    let store: any EventStore
    let options: Options
    let logger: Logger

    /// A runner of `consumer` on `store`.
    public init(_ consumer: any LogConsumer, store: any EventStore, options: Options = Options(), logger: Logger) {
        precondition(options.pageSize > 0, "a consumer's page size must be positive")
        self.consumer = consumer
        self.store = store
        self.options = options
        var logger = logger
        logger[metadataKey: "consumer"] = "\(consumer.name)"
        self.logger = logger
    }

    /// Runs until cancelled: takes the consumer's claim (retrying every ``Options/claimRetry``
    /// while another runner holds it), then catches up and follows the log. Returns when cancelled.
    public func run() async {
        while !Task.isCancelled {
            do {
                let ran = try await store.withConsumerClaim(consumer.name) { try await follow(until: nil) }
                if ran == nil {
                    logger.debug("consumer claimed elsewhere; waiting")
                    try await Task.sleep(for: options.claimRetry)
                }
            } catch is CancellationError {
                return
            } catch {
                // The claim could not be taken or was lost (PostgreSQL's connection failed).
                logger.warning("consumer claim failed", metadata: ["error": "\(error)"])
                try? await Task.sleep(for: options.claimRetry)
            }
        }
    }

    /// Handles every event committed up to now, under the claim, and returns the position
    /// reached; nil when another runner holds the claim. Failures are retried as in ``run()``.
    public func catchUp() async throws -> Int64? {
        let head = try await store.headPosition()
        return try await store.withConsumerClaim(consumer.name) { try await follow(until: head) }
    }

    /// The consumer's saved position (0 when it has none).
    private func savedPosition() async throws -> Int64 {
        try await store.consumerPositions().first { $0.name == consumer.name }?.position ?? 0
    }

    /// The loop under the claim: pages from the saved position until `target` (nil: forever).
    private func follow(until target: Int64?) async throws -> Int64 {
        var position = try await retrying { try await savedPosition() }
        while true {
            try Task.checkCancellation()
            if let target, position >= target { return position }
            let page = try await retrying { try await store.readAll(after: position, limit: options.pageSize, mode: consumer.readMode) }
            guard let last = page.last?.position else {
                if target != nil { return position }
                try await retrying { try await store.waitForAppend(after: position, timeout: options.idleWait) }
                let saved = try await retrying { try await savedPosition() }
                if saved != position {
                    logger.info("consumer position changed elsewhere", metadata: ["from": "\(position)", "to": "\(saved)"])
                    position = saved
                }
                continue
            }
            let from = position
            let advanced = try await retrying {
                if from == 0 { try await consumer.prepareForReplay() }
                try await consumer.handle(page)
                return try await store.advanceConsumer(consumer.name, to: last, from: from)
            }
            if advanced {
                position = last
            } else {
                // Reset (or moved by a runner that should not exist): go on from what is saved.
                position = try await retrying { try await savedPosition() }
                logger.info("consumer position changed elsewhere", metadata: ["from": "\(from)", "to": "\(position)"])
            }
        }
    }

    /// `work`, retried after a doubling backoff until it succeeds or the task is cancelled;
    /// each failure is logged and recorded as the consumer's last error.
    private func retrying<T: Sendable>(_ work: () async throws -> T) async throws -> T {
        var backoff = options.initialBackoff
        while true {
            do { return try await work() } catch is CancellationError { throw CancellationError() } catch {
                try Task.checkCancellation()
                logger.error("consumer failed; retrying", metadata: ["error": "\(error)", "retry_in": "\(backoff)"])
                try? await store.recordConsumerError(consumer.name, "\(error)")
                try await Task.sleep(for: backoff)
                backoff = min(backoff * 2, options.maximumBackoff)
            }
        }
    }
}
