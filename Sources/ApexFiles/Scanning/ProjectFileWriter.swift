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

    /// The states this writer loaded, caught up with what is new rather than folded again.
    let states: ProjectStateCache

    /// A writer appending as `service`, keeping up to `cacheBudget` bytes of project states.
    public init(store: any EventStore, service: String, cacheBudget: Int = 16 << 20) {
        self.store = store
        self.service = service
        self.states = ProjectStateCache(budget: cacheBudget)
    }

    /// The project's state now (empty when it has no events): the state loaded last caught up,
    /// else the project's snapshot or first event folded. Project state holds no personal data.
    public func state(of project: UUID) async throws -> ProjectState {
        try await states.load(project, from: store) ?? ProjectState()
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
