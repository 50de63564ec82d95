import ApexDomain
import ApexStore
import Foundation

/// Account states kept in memory for the digests, each caught up on every load with only the
/// events after its version (an account's stream is read whole once per process, not per run).
actor AccountStates {
    private var states: [UUID: AccountState] = [:]

    /// The account `id` as it now is, personal values opened; read outside the actor.
    nonisolated func load(_ id: UUID, from store: any EventStore) async throws -> AccountState {
        let held = await states(id) ?? AccountState()
        let state = try await store.foldStream(.account(id), from: held.version + 1, into: held, mode: .opened) { state, page in
            for event in page { try state.apply(event) }
        }
        await keep(state, for: id)
        return state
    }

    private func states(_ id: UUID) -> AccountState? { states[id] }

    private func keep(_ state: AccountState, for id: UUID) {
        if state.version > states[id]?.version ?? 0 { states[id] = state }
    }
}
