public import ApexDomain
public import ApexStore
public import Foundation

/// Loads a project's state from the log and appends what a command decides, as a service actor:
/// how the file consumers (the scanner) record their results on the project stream, through the
/// same ``ProjectDecider`` rules as the API.
public struct ProjectFileWriter: Sendable {
    /// The store.
    public let store: any EventStore
    /// The actor the events are recorded by, e.g. `file-scanner`.
    public let service: String

    /// A writer appending as `service`.
    public init(store: any EventStore, service: String) {
        self.store = store
        self.service = service
    }

    /// The project's state now (empty when it has no events). Project state holds no personal
    /// data: the events are read as stored.
    public func state(of project: UUID) async throws -> ProjectState {
        var state = ProjectState()
        try state.apply(contentsOf: try await store.readStream(.project(project), from: 1, limit: .max, mode: .stored))
        return state
    }

    /// Decides `command(state)` on the project's current state and appends its events, retrying
    /// on a version conflict (a write that came in between); a nil command appends nothing.
    /// The domain's refusals are thrown as they are.
    public func append(to project: UUID, now: Date = Date(), _ command: (ProjectState) throws -> ProjectCommand?) async throws {
        for attempt in 1...5 {
            let state = try await state(of: project)
            guard let asked = try command(state), let account = state.accountID else { return }
            let drafts = try ProjectDecider.decide(asked, state: state, context: DecisionContext(now: now))
            guard !drafts.isEmpty else { return }
            do {
                _ = try await store.append(
                    drafts.map { $0.proposed(id: UUID(), accountID: account, actor: .service(service)) }, to: .project(project),
                    expected: .exact(state.version))
                return
            } catch let error as EventStoreError where error.code == .versionConflict && attempt < 5 {
                continue
            }
        }
    }
}
