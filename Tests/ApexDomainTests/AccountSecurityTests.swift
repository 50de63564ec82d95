import ApexDomain
import Foundation
import Testing

/// Erasure, token revocation and the IP allowlist in the account's fold, and ``AddressRanges``.
@Suite struct AccountSecurityTests {
    @Test func erasureShowsErasedThroughOneRuleAndTheLastOwnerStays() throws {
        var s = try AccountScenario.created()
        try s.addUser(DomainFixtures.engineerID, role: .engineer, n: 2)
        #expect(s.refusal(.erase(userID: DomainFixtures.ownerID, reason: "GDPR"))?.code == .lastOwner)
        try s.run(.erase(userID: DomainFixtures.engineerID, reason: "GDPR"))
        let user = try #require(s.state.users[DomainFixtures.engineerID])
        #expect(user.shownName == "[erased]" && user.shownEmail == "[erased]")
        #expect(!user.isActive)
        #expect(!s.state.activeUsers.contains { $0.id == DomainFixtures.engineerID })
        #expect(s.state.users[DomainFixtures.ownerID]?.shownName == "Ada Lovelace")
        // Erasing again records nothing.
        #expect(try s.decide(.erase(userID: DomainFixtures.engineerID, reason: "again")).isEmpty)
    }

    @Test func revokingTokensSetsTheUsersEpoch() throws {
        var s = try AccountScenario.created()
        let epoch = Timestamp.parse("2026-06-01T10:00:00.123456Z")!
        let events = try s.run(.revokeTokens(userID: DomainFixtures.ownerID, notBefore: epoch))
        #expect(events.map(\.type) == ["user.tokens_revoked"])
        #expect(s.state.users[DomainFixtures.ownerID]?.tokensNotBefore == epoch)
        #expect(s.refusal(.revokeTokens(userID: UUID(), notBefore: epoch))?.code == .notFound)
        #expect(try AccountState.replay(s.events) == s.state)
    }

    @Test func theAllowlistIsRecordedInCanonicalTextAndReplays() throws {
        var s = try AccountScenario.created()
        let ranges = try AddressRanges(parsing: [" 10.0.0.0/8", "2001:db8::/32", "192.0.2.7"])
        let events = try s.run(.setIPAllowlist(ranges))
        #expect(events.first?.data == ["ranges": ["10.0.0.0/8", "2001:db8::/32", "192.0.2.7"]])
        #expect(s.state.ipAllowlist == ranges)
        #expect(try s.decide(.setIPAllowlist(ranges)).isEmpty)
        #expect(try AccountState.replay(s.events) == s.state)
    }

    @Test func addressRangesMatchIPv4AndIPv6AndRefuseWhatIsNotARange() throws {
        let ranges = try AddressRanges(parsing: ["10.0.0.0/8", "2001:db8::/32", "192.0.2.7"])
        #expect(ranges.contains("10.255.0.1"))
        #expect(!ranges.contains("11.0.0.1"))
        #expect(ranges.contains("2001:db8:ffff::1"))
        #expect(!ranges.contains("2001:db9::1"))
        #expect(ranges.contains("192.0.2.7") && !ranges.contains("192.0.2.8"))
        #expect(ranges.contains("::ffff:10.1.2.3"))
        #expect(!ranges.contains("not an address"))
        #expect(try AddressRanges(parsing: ["0.0.0.0/0"]).contains("198.51.100.1"))
        for bad in ["10.0.0.0/33", "10.0.0.0/", "10.0.0/8", "2001:db8::/129", "::/-1", "example.com", "", "10.0.0.0/8/8"] {
            do {
                _ = try AddressRanges(parsing: [bad])
                Issue.record("'\(bad)' was accepted")
            } catch {
                #expect(error.code == .invalidInput && error.field == "ip_allowlist", "\(bad)")
            }
        }
    }
}
