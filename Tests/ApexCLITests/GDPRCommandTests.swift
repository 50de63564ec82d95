import ApexDomain
import ApexStore
import Foundation
import Testing

/// `apex-cli gdpr erase` and `apex-cli retention run` on a real store through the built binary:
/// the erased user's name, email and request metadata read `[erased]` in the CLI's own views,
/// `verify` still exits 0, and the last owner cannot be erased.
@Suite("apex-cli gdpr erase and retention run")
struct GDPRCommandTests {
    static let memberAgent = "MemberBrowser/3.3"

    @Test func eraseShowsErasedInEventsAndVerifyStaysIntact() async throws {
        let s = try await Scenario.make()
        defer { s.remove() }
        let member = UUID()
        try await EventStores.withStore(url: s.url) { store in
            var account = try AccountState.replay(try await store.readStream(.account(s.accountID)))
            let ctx = DecisionContext(now: Date())
            let invited = try AccountDecider.decide(
                .invite(invitationID: UUID(), userID: member, email: "mia@example.com", name: "Mia Member", role: .estimator, tokenHash: "t-1",
                        expiresAt: Date().addingTimeInterval(3600)), state: account, context: ctx)
            _ = try await store.append(invited.map { $0.proposed(id: UUID(), accountID: s.accountID, actor: .user(s.ownerID)) }, to: .account(s.accountID), expected: .exact(account.version))
            account = try AccountState.replay(try await store.readStream(.account(s.accountID)))
            let joined = try AccountDecider.decide(.accept(tokenHash: "t-1", name: "Mia Member", peLicense: nil), state: account, context: ctx)
            let metadata = RequestMetadata(ipAddress: "198.51.100.23", userAgent: Self.memberAgent, requestID: "req-mia")
            _ = try await store.append(
                joined.map { $0.proposed(id: UUID(), accountID: s.accountID, actor: .user(member), requestMetadata: metadata) },
                to: .account(s.accountID), expected: .exact(account.version))
        }
        let before = try await s.cli("events", "--stream", "account-\(s.accountID.uuidString.lowercased())", "--json")
        #expect(before.stdout.contains("Mia Member") && before.stdout.contains(Self.memberAgent), "\(before)")

        let erased = try await s.cli("gdpr", "erase", "--user", member.uuidString, "--reason", "DSR ticket 41", "--json")
        #expect(erased.status == 0, "\(erased)")
        let report = try CLI.object(erased.stdout)
        #expect(report["recorded"] as? Bool == true)
        #expect(report["keys_deleted"] as? Int == 2, "\(erased.stdout)")

        let after = try await s.cli("events", "--stream", "account-\(s.accountID.uuidString.lowercased())", "--json")
        #expect(after.status == 0, "\(after)")
        for secret in ["Mia Member", "mia@example.com", Self.memberAgent, "198.51.100.23"] {
            #expect(!after.stdout.contains(secret), "\(secret) is still shown")
        }
        #expect(after.stdout.contains("[erased]") && after.stdout.contains("user.erased") && after.stdout.contains("DSR ticket 41"))
        // The owner's name is untouched.
        #expect(after.stdout.contains(Scenario.ownerName))
        let verify = try await s.cli("verify")
        #expect(verify.status == 0 && verify.stdout.hasPrefix("intact: "), "\(verify)")

        // Again: nothing new recorded. The last owner cannot be erased.
        let again = try await s.cli("gdpr", "erase", "--user", member.uuidString, "--reason", "again", "--json")
        let repeated = try CLI.object(again.stdout)
        #expect(again.status == 0 && repeated["recorded"] as? Bool == false, "\(again)")
        let owner = try await s.cli("gdpr", "erase", "--user", s.ownerID.uuidString, "--reason", "GDPR")
        #expect(owner.status != 0 && owner.stderr.contains("last owner"), "\(owner)")
        let unknown = try await s.cli("gdpr", "erase", "--user", UUID().uuidString, "--reason", "GDPR")
        #expect(unknown.status != 0 && unknown.stderr.contains("no user"), "\(unknown)")
    }

    @Test func retentionRunKeepsCurrentMetadata() async throws {
        let s = try await Scenario.make()
        defer { s.remove() }
        let run = try await s.cli("retention", "run", "--json")
        #expect(run.status == 0 && run.stdout == "[]\n", "\(run)")
        let history = try await s.cli("history", "--project", s.projectID.uuidString)
        #expect(history.stdout.contains(Scenario.ip), "\(history)")
    }
}
