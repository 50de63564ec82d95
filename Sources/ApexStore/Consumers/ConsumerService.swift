public import Logging
public import ServiceLifecycle

/// Runs a set of consumers of the log beside a server (a swift-service-lifecycle `Service`),
/// each in its own ``ConsumerRunner``, until graceful shutdown. A consumer's failures are
/// retried by its runner and never stop the others or the server.
///
/// ```swift
/// let consumers = ConsumerService(consumers: [Webhooks(…), SearchIndex(…)], store: store, logger: logger)
/// let group = ServiceGroup(services: [server, consumers], logger: logger)
/// ```
public struct ConsumerService: Service {
    /// The runners, one per consumer.
    public let runners: [ConsumerRunner]
    let logger: Logger

    /// A service running `consumers`, whose names must be unique, on `store`.
    public init(consumers: [any LogConsumer], store: any EventStore, options: ConsumerRunner.Options = .init(), logger: Logger) {
        precondition(Set(consumers.map(\.name)).count == consumers.count, "consumer names must be unique")
        self.runners = consumers.map { ConsumerRunner($0, store: store, options: options, logger: logger) }
        self.logger = logger
    }

    /// Runs every consumer until graceful shutdown (or cancellation); with none, just waits for it.
    public func run() async throws {
        guard !runners.isEmpty else {
            try? await gracefulShutdown()
            return
        }
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                for runner in runners { group.addTask { await runner.run() } }
            }
        }
        logger.info("consumers stopped", metadata: ["consumers": "\(runners.map(\.consumer.name))"])
    }
}
