import ApexDomain
import ApexStore
import Foundation

/// Finding the account a user belongs to, for commands that are given only a user id.
enum AccountLookup {
    /// The state of the account that knows `user` (removed or erased users included), or nil.
    static func account(of user: UUID, in store: any EventStore) async throws -> AccountState? {
        var found: AccountState?
        try await store.forEachAccount { _, state in
            if state.users[user] != nil { found = state }
            return found == nil
        }
        return found
    }
}
