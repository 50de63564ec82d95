public import ApexDomain
import Foundation

/// Replays every project and account stream while `verify` walks the log, so an event that
/// does not fold into its stream's state is reported as `replay_failed`. Other streams are only
/// hash-checked. Memory grows with the number of streams.
///
/// ```swift
/// let report = try await store.verify(options: VerifyOptions(inspect: DomainReplay().inspect))
/// ```
public final class DomainReplay: @unchecked Sendable {
    private let lock = NSLock()
    private var projects: [StreamID: ProjectState] = [:]
    private var accounts: [StreamID: AccountState] = [:]

    /// A replayer with no state yet.
    public init() {}

    /// The inspect hook for ``VerifyOptions``.
    public var inspect: @Sendable (EventEnvelope) throws -> Void { { [self] event in try self.apply(event) } }

    /// Folds one event into its stream's state.
    public func apply(_ event: EventEnvelope) throws {
        try lock.withLock {
            if event.stream.projectID != nil {
                var state = projects[event.stream] ?? ProjectState()
                try state.apply(event)
                projects[event.stream] = state
            } else if event.stream.rawValue.hasPrefix("account-") {
                var state = accounts[event.stream] ?? AccountState()
                try state.apply(event)
                accounts[event.stream] = state
            }
        }
    }

    /// The replayed state hash of each project stream.
    public var projectStateHashes: [StreamID: String] { lock.withLock { projects.mapValues(\.stateHash) } }
}
