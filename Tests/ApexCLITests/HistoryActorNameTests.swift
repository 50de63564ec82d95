import ApexDomain
import ApexStore
import Foundation
import Testing

/// `apex-cli history` names each acting user as the account recorded them, and `[erased]` once
/// their key is gone.
@Suite struct HistoryActorNameTests {
    @Test func historyNamesTheActorAndSaysErasedOnceErased() async throws {
        let s = try await Scenario.make()
        defer { s.remove() }
        let owner = s.ownerID.uuidString.lowercased()
        let text = try await s.cli("history", "--project", s.projectID.uuidString)
        #expect(text.status == 0, "\(text)")
        #expect(text.stdout.contains(" by \(Scenario.ownerName) <grace@example.com> (\(owner)) from "), "\(text.stdout)")
        let json = try CLI.object(try await s.cli("history", "--project", s.projectID.uuidString, "--json").stdout)
        let actor = try #require((json["items"] as? [[String: Any]])?.first?["actor"] as? [String: Any])
        #expect(actor["name"] as? String == Scenario.ownerName)
        #expect(actor["email"] as? String == "grace@example.com")
        #expect(actor["user_id"] as? String == owner)

        try await EventStores.withStore(url: s.environment["APEX_STORE_URL"]!) { store in
            func run(_ command: AccountCommand) async throws {
                let state = try AccountState.replay(try await store.readStream(.account(s.accountID)))
                let drafts = try AccountDecider.decide(command, state: state, context: DecisionContext(now: Date()))
                _ = try await store.append(
                    drafts.map { $0.proposed(id: UUID(), accountID: s.accountID, actor: .service("apex-tests")) }, to: .account(s.accountID),
                    expected: .exact(state.version))
            }
            // The last owner cannot be erased: a second owner joins first.
            try await run(.invite(
                invitationID: UUID(), userID: UUID(), email: "ada@example.com", name: "Ada", role: .owner, tokenHash: "second-owner",
                expiresAt: Date().addingTimeInterval(3600)))
            try await run(.accept(tokenHash: "second-owner", name: "Ada", peLicense: nil))
            try await run(.erase(userID: s.ownerID, reason: "erasure request"))
            try await store.eraseSubject(DataSubject.user(owner))
        }
        let erased = try await s.cli("history", "--project", s.projectID.uuidString)
        #expect(erased.stdout.contains(" by [erased] <[erased]> (\(owner)) from "), "\(erased.stdout)")
        #expect(!erased.stdout.contains(Scenario.ownerName))
        let erasedJSON = try CLI.object(try await s.cli("history", "--project", s.projectID.uuidString, "--json").stdout)
        let erasedActor = try #require((erasedJSON["items"] as? [[String: Any]])?.first?["actor"] as? [String: Any])
        #expect(erasedActor["name"] as? String == "[erased]")
        #expect(erasedActor["email"] as? String == "[erased]")
    }
}
