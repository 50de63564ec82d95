import ApexDomain
import ApexStore
import Foundation
import HTTPTypes

extension ApexAPI {
    /// How many times an account change is decided and appended before a run of lost races is
    /// answered 409.
    static let accountWriteAttempts = 8

    /// Decides a change of the account `accountID` on its current state and appends it at that
    /// state's version, as the identity behind `context`; returns the state it was decided on
    /// (nothing is appended when `decide` returns no drafts).
    ///
    /// An account's stream also takes events appended at any version: access denials, retention
    /// runs, webhook changes, and writes from another server instance. Writes through here queue
    /// in this process (``StreamWriteQueue``), and when one of those events lands between the read
    /// and the append, `decide` runs again on the new state (it may now refuse, or authorize
    /// differently) after a short random pause (so two instances that keep colliding fall out of
    /// step), up to ``accountWriteAttempts`` times in all, before the request is answered 409
    /// `version_conflict`.
    @discardableResult
    func changeAccount(
        _ accountID: UUID, _ context: ApexRequestContext, decide: (AccountState) async throws -> [DraftEvent]
    ) async throws -> AccountState {
        let actor = Actor.user(try context.requireIdentity().principal.userID)
        return try await changeAccount(accountID, context, decideWithActor: { (try await decide($0), actor) })
    }

    /// ``changeAccount(_:_:decide:)`` for a change whose actor is known only once it is decided
    /// (accepting an invitation: the user who joins).
    @discardableResult
    func changeAccount(
        _ accountID: UUID, _ context: ApexRequestContext, decideWithActor decide: (AccountState) async throws -> (drafts: [DraftEvent], actor: Actor)
    ) async throws -> AccountState {
        try await writes.serialized(.account(accountID)) {
            for attempt in 1...Self.accountWriteAttempts {
                if attempt > 1 { try await Task.sleep(for: .milliseconds(Int.random(in: 1...(5 * attempt)))) }
                let account = try await directory.state(of: accountID)
                let (drafts, actor) = try await decide(account)
                guard !drafts.isEmpty else { return account }
                do {
                    _ = try await append(drafts, to: .account(accountID), expected: .exact(account.version), account: accountID, actor: actor, context: context)
                    return account
                } catch let error as EventStoreError where error.code == .versionConflict {
                    if attempt == Self.accountWriteAttempts { throw APIError(error) }
                }
            }
            throw APIError(.conflict, code: "version_conflict", "the account is changing too fast; retry")
        }
    }
}
