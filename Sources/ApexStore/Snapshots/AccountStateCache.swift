public import ApexDomain
public import Foundation

/// Account states kept in memory, each caught up on every load with only the events after its
/// version, so a change made by another server instance is seen at the next load. The read
/// happens outside the actor: loads of different accounts never wait for each other here.
/// The server's requests (``AccountDirectory`` in ApexServer), the mail digests and the consumers
/// that need account states (email, sign-in addresses) keep one each.
public actor AccountStateCache {
    private var states: [UUID: AccountState] = [:]

    /// An empty cache.
    public init() {}

    /// The account `id` as it now is (an empty state when it does not exist), personal values opened.
    public nonisolated func load(_ id: UUID, from store: any EventStore) async throws -> AccountState {
        let held = await held(id) ?? AccountState()
        let state = try await store.foldStream(.account(id), from: held.version + 1, into: held, mode: .opened) { state, page in
            for event in page { try state.apply(event) }
        }
        await keep(state, for: id)
        return state
    }

    private func held(_ id: UUID) -> AccountState? { states[id] }

    private func keep(_ state: AccountState, for id: UUID) {
        if state.version > states[id]?.version ?? 0 { states[id] = state }
    }
}
