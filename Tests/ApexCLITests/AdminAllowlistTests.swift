import ApexDomain
import ApexStore
import Foundation
import Testing

/// `apex-cli admin allowlist clear` (lock-out recovery) on a real store through the built binary:
/// it records `account.ip_allowlist_changed` with an empty list, the reason and the operator's
/// service as actor; the account is then open to any address; a second run records nothing.
@Suite("apex-cli admin allowlist clear")
struct AdminAllowlistTests {
    @Test(arguments: [false, true])
    func clearingRecordsAnEmptyListWithTheReasonAndTheOperator(_ postgres: Bool) async throws {
        try await Scenario.with(postgres: postgres) { s in
            try await EventStores.withStore(url: s.url) { store in
                let account = try AccountState.replay(try await store.readStream(.account(s.accountID)))
                let drafts = try AccountDecider.decide(
                    .setIPAllowlist(try AddressRanges(parsing: ["203.0.113.0/24"])), state: account, context: DecisionContext(now: Date()))
                _ = try await store.append(drafts.map { $0.proposed(id: UUID(), accountID: s.accountID, actor: .user(s.ownerID)) },
                                           to: .account(s.accountID), expected: .exact(account.version))
            }

            let cleared = try await s.cli("admin", "allowlist", "clear", "--account", s.accountID.uuidString, "--reason", "owner's ISP changed; ticket 77", "--json")
            #expect(cleared.status == 0, "\(cleared)")
            let report = try CLI.object(cleared.stdout)
            #expect(report["recorded"] as? Bool == true)
            #expect(report["previous"] as? [String] == ["203.0.113.0/24"], "\(cleared.stdout)")

            try await EventStores.withStore(url: s.url) { store in
                let events = try await store.readStream(.account(s.accountID))
                let last = try #require(events.last)
                #expect(last.type == AccountIPAllowlistChanged.type)
                #expect(try last.payload(as: AccountIPAllowlistChanged.self).ranges == [])
                #expect(last.reason == "owner's ISP changed; ticket 77")
                #expect(last.actor == .service("apex-cli"))
                let state = try AccountState.replay(events)
                #expect(state.ipAllowlist == .any)
            }
            let verify = try await s.cli("verify")
            #expect(verify.status == 0, "\(verify)")

            // Already empty: nothing recorded.
            let again = try await s.cli("admin", "allowlist", "clear", "--account", s.accountID.uuidString, "--reason", "again", "--json")
            let repeated = try CLI.object(again.stdout)
            #expect(again.status == 0 && repeated["recorded"] as? Bool == false, "\(again)")
        }
    }

    @Test func aMissingReasonOrAnUnknownAccountIsRefused() async throws {
        let s = try await Scenario.make()
        defer { s.remove() }
        let blank = try await s.cli("admin", "allowlist", "clear", "--account", s.accountID.uuidString, "--reason", "  ")
        #expect(blank.status != 0 && blank.stderr.contains("--reason"), "\(blank)")
        let unknown = try await s.cli("admin", "allowlist", "clear", "--account", UUID().uuidString, "--reason", "ticket 1")
        #expect(unknown.status != 0 && unknown.stderr.contains("no account"), "\(unknown)")
        let missing = try await s.cli("admin", "allowlist", "clear", "--account", s.accountID.uuidString)
        #expect(missing.status != 0 && missing.stderr.contains("--reason"), "\(missing)")
    }
}
