public import ApexDomain
public import ApexStore
import Foundation

/// The consumer of the log named `sign-in-addresses` that keeps ``SignInAddresses``: after
/// `account.created`, `user.joined`, `user.removed` or `user.erased` (the events that change
/// who holds which address; no event changes an email otherwise), it rewrites that account's
/// rows from the account's state: one row per active user with an email, in one transaction.
///
/// Rewriting an account from its state is idempotent, so a repeated page (delivery is at least
/// once) changes nothing; ``prepareForReplay()`` empties the table
/// (`apex-cli projections rebuild sign-in-addresses`). Reads personal values opened, as it must
/// hash the addresses; an erased user's address is gone and so is their row.
public struct SignInAddressConsumer: LogConsumer {
    /// `sign-in-addresses`.
    public static let consumerName = "sign-in-addresses"
    /// `sign-in-addresses`.
    public var name: String { Self.consumerName }
    /// Addresses are hashed, so they are needed in plaintext.
    public var readMode: ReadMode { .opened }
    /// The event types that change an account's rows.
    static let types: Set<String> = [AccountCreated.type, UserJoined.type, UserRemoved.type, UserErased.type]
    let index: SignInAddresses
    /// The accounts' states, each caught up with what is new since this consumer last read it.
    let states = AccountStateCache()

    /// Rewrites the rows of every account whose membership `events` changed.
    public func handle(_ events: [EventEnvelope]) async throws {
        guard index.isAvailable else { return }
        var accounts: [UUID] = []
        for event in events where Self.types.contains(event.type) && event.stream == .account(event.accountID) {
            if !accounts.contains(event.accountID) { accounts.append(event.accountID) }
        }
        guard !accounts.isEmpty else { return }
        try await index.prepare()
        for account in accounts {
            let state = try await states.load(account, from: index.store)
            var statements = [FeatureStatement("DELETE FROM web_sign_in_addresses WHERE account_id = ?", [.text(account.lowercased)])]
            var seen: Set<String> = []
            for user in state.activeUsers {
                guard let address = user.email?.plaintext else { continue }
                let hash = index.hash(address)
                guard seen.insert(hash + user.id.lowercased).inserted else { continue }
                statements.append(FeatureStatement(
                    "INSERT INTO web_sign_in_addresses (address_hash, account_id, user_id) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                    [.text(hash), .text(account.lowercased), .text(user.id.lowercased)]))
            }
            _ = try await index.sql.transaction(statements)
        }
    }

    /// Empties the index before a replay from position 0.
    public func prepareForReplay() async throws {
        guard index.isAvailable else { return }
        try await index.prepare()
        try await index.sql.run("DELETE FROM web_sign_in_addresses")
    }
}
