import ApexDomain
import ApexStore
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// Account states for requests, kept current by reading only the events appended since the
/// last look (``AccountStateCache``): a role change or removal made by another server instance
/// is seen by the next request here too, and the store is read outside any lock.
struct AccountDirectory: Sendable {
    private let store: any EventStore
    private let states = AccountStateCache()

    init(store: any EventStore) { self.store = store }

    /// The account's current state (an empty state when it does not exist).
    func state(of account: UUID) async throws -> AccountState {
        try await states.load(account, from: store)
    }
}
