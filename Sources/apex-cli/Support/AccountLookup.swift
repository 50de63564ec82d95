import ApexDomain
import ApexStore
import Foundation

/// Finding the account a user belongs to, for commands that are given only a user id.
enum AccountLookup {
    /// The state of the account that knows `user` (removed or erased users included), or nil.
    static func account(of user: UUID, in store: any EventStore) async throws -> AccountState? {
        for (stream, _) in try await store.streamHeads() where stream.rawValue.hasPrefix("account-") {
            let state = try AccountState.replay(try await store.readStream(stream))
            if state.users[user] != nil { return state }
        }
        return nil
    }
}
