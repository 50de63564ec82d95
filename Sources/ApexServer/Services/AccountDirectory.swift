import ApexDomain
import ApexStore
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// Account states, kept current by reading only the events appended since the last look.
///
/// Every lookup catches up from the store, so a role change or removal made by another server
/// instance is seen by the next request here too.
actor AccountDirectory {
    private let store: any EventStore
    private var cache: [UUID: AccountState] = [:]

    init(store: any EventStore) { self.store = store }

    /// The account's current state (an empty state when it does not exist).
    func state(of account: UUID) async throws -> AccountState {
        var state = cache[account] ?? AccountState()
        let new = try await store.readStream(.account(account), from: state.version + 1)
        guard !new.isEmpty else { return state }
        for event in new { try state.apply(event) }
        cache[account] = state
        return state
    }
}
