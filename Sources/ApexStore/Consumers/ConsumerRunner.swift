public import ApexDomain
public import Logging

/// Runs one ``LogConsumer``: claims it, reads the log from its saved position a page at a time,
/// hands each page to the consumer, then saves the position reached (compare-and-set, so
/// a reset or another runner is noticed instead of overwritten). At least once: the position
/// is saved after the work, so a crash repeats a page and never skips one.
///
/// The position is saved at most every ``Options/checkpointInterval`` while pages keep coming,
/// and once the runner is caught up that long (as EventStoreDB's subscriptions checkpoint): with
/// a dozen consumers, saving after every page cost a durable write each per appended event. A
/// crash repeats what was handled since the last save, which the consumers' idempotence
/// (required above) makes harmless. ``catchUp()`` and a stopping runner save what they reached.
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
        /// The longest a handled position goes unsaved while the runner works or waits; zero
        /// saves after every page.
        public var checkpointInterval: Duration = .milliseconds(250)
        /// How long a caught-up runner, woken by an append, lets more appends gather before it
        /// reads: under a steady stream of writes its consumer gets pages of several events
        /// instead of one each (one search re-index of a project per page, one tally write),
        /// for that much more delay on the derived views. Zero reads at once.
        public var batchDelay: Duration = .milliseconds(20)

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
        var checkpoint = Checkpoint(saved: try await retrying { try await savedPosition() })
        var position = checkpoint.saved
        // The last page was short: the log held nothing more when it was read, so the next read
        // waits for the append signal (which returns at once if the head has moved on) instead of
        // reading an empty page; with a dozen consumers that was a dozen reads per appended event.
        var drained = false
        do {
            while true {
                try Task.checkCancellation()
                if let target, position >= target { return try await save(position, &checkpoint) }
                let page = drained ? [] : try await retrying { try await store.readAll(after: position, limit: options.pageSize, mode: consumer.readMode) }
                drained = false
                guard let last = page.last?.position else {
                    if target != nil { return try await save(position, &checkpoint) }
                    if position != checkpoint.saved {
                        // Caught up with a position unsaved: save it once the interval is over,
                        // unless an append comes first.
                        let due = checkpoint.savedAt.advanced(by: options.checkpointInterval)
                        if ContinuousClock.now >= due {
                            position = try await save(position, &checkpoint)
                        } else {
                            try await retrying { try await store.waitForAppend(after: position, timeout: due - ContinuousClock.now) }
                            try await letAppendsGather()
                        }
                        continue
                    }
                    try await retrying { try await store.waitForAppend(after: position, timeout: options.idleWait) }
                    try await letAppendsGather()
                    let saved = try await retrying { try await savedPosition() }
                    if saved != position {
                        logger.info("consumer position changed elsewhere", metadata: ["from": "\(position)", "to": "\(saved)"])
                        position = saved
                        checkpoint = Checkpoint(saved: saved)
                    }
                    continue
                }
                let from = position
                try await retrying {
                    if from == 0 { try await consumer.prepareForReplay() }
                    try await consumer.handle(page)
                }
                position = last
                if ContinuousClock.now >= checkpoint.savedAt.advanced(by: options.checkpointInterval) {
                    position = try await save(position, &checkpoint)
                }
                drained = target == nil && page.count < options.pageSize && position == last
            }
        } catch is CancellationError {
            // Stopping: keep what was handled (in a task of its own, which the cancellation does not reach).
            if position != checkpoint.saved {
                let (name, reached, saved) = (consumer.name, position, checkpoint.saved)
                _ = try? await Task { [store] in try await store.advanceConsumer(name, to: reached, from: saved) }.value
            }
            throw CancellationError()
        }
    }

    /// After waiting for an append, lets more gather for ``Options/batchDelay`` before the next read.
    private func letAppendsGather() async throws {
        if options.batchDelay > .zero { try await Task.sleep(for: options.batchDelay) }
    }

    /// The last saved position and when it was saved.
    private struct Checkpoint {
        var saved: Int64
        var savedAt = ContinuousClock.now
    }

    /// Saves `position` over the one saved last, and returns it; when the saved position was
    /// changed elsewhere (a reset, or a runner that should not exist), returns that one instead,
    /// to go on from.
    private func save(_ position: Int64, _ checkpoint: inout Checkpoint) async throws -> Int64 {
        guard position != checkpoint.saved else { return position }
        let from = checkpoint.saved
        let advanced = try await retrying { try await store.advanceConsumer(consumer.name, to: position, from: from) }
        if advanced {
            checkpoint = Checkpoint(saved: position)
            return position
        }
        let saved = try await retrying { try await savedPosition() }
        logger.info("consumer position changed elsewhere", metadata: ["from": "\(from)", "to": "\(saved)"])
        checkpoint = Checkpoint(saved: saved)
        return saved
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
