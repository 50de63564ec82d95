public import Logging
public import ServiceLifecycle

/// Runs a piece of work on an interval beside a server until graceful shutdown: checkpoints,
/// base backups, log shipping. A failed run is logged and the next one comes on schedule.
///
/// ```swift
/// let sealing = PeriodicService(name: "checkpoint", every: .seconds(300), finalRun: true, logger: logger) {
///     try await store.sealCheckpoint(signer: key)
/// }
/// ```
public struct PeriodicService: Service {
    let name: String
    let interval: Duration
    let runsAtStart: Bool
    let finalRun: Bool
    let logger: Logger
    let work: @Sendable () async throws -> Void

    /// A service doing `work` every `interval`; once right away when `runsAtStart`, and once
    /// more after shutdown begins when `finalRun`.
    public init(
        name: String, every interval: Duration, runsAtStart: Bool = false, finalRun: Bool = false, logger: Logger,
        _ work: @escaping @Sendable () async throws -> Void
    ) {
        self.name = name
        self.interval = interval
        self.runsAtStart = runsAtStart
        self.finalRun = finalRun
        self.logger = logger
        self.work = work
    }

    /// Runs until graceful shutdown.
    public func run() async throws {
        try? await cancelWhenGracefulShutdown {
            if runsAtStart { await attempt() }
            while !Task.isCancelled {
                try await Task.sleep(for: interval)
                await attempt()
            }
        }
        if finalRun { await attempt() }
    }

    private func attempt() async {
        do { try await work() } catch { logger.error("\(name) failed", metadata: ["error": "\(error)"]) }
    }
}
