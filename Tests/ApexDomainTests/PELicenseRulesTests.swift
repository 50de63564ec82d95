import ApexDomain
import Foundation
import Testing

/// PE licenses are not self-declared: the account's fold puts a license in effect only when an
/// owner or admin other than the licensee recorded or confirmed it, and the policy approves only
/// under such a license.
@Suite struct PELicenseRulesTests {
    static let owner = DomainFixtures.ownerID
    static let admin = DomainFixtures.uuid(20, prefix: "b")
    static let engineer = DomainFixtures.engineerID
    static let license = DomainFixtures.license

    /// An account with the owner, an admin and an engineer (who declared a license on joining).
    static func account() throws -> AccountScenario {
        var s = try AccountScenario.created()
        try s.addUser(admin, role: .admin, n: 2)
        try s.addUser(engineer, role: .engineer, n: 3, license: license)
        return s
    }

    @Test func aLicenseGivenAtAcceptanceIsPending() throws {
        let s = try Self.account()
        let user = try #require(s.state.users[Self.engineer])
        #expect(user.peLicense == nil)
        #expect(user.pendingPELicense == Self.license)
        // Recorded without confirmed_by, even if the body carried one.
        #expect(s.events.last?.data["pe_license"]?["confirmed_by"] == nil)
    }

    @Test func anotherOwnerOrAdminConfirmsIt() throws {
        for confirmer in [Self.owner, Self.admin] {
            var s = try Self.account()
            let events = try s.run(.confirmPELicense(userID: Self.engineer, by: confirmer))
            #expect(events.map(\.type) == ["user.pe_license_changed"])
            let user = try #require(s.state.users[Self.engineer])
            #expect(user.peLicense == Self.license.confirmed(by: confirmer))
            #expect(user.pendingPELicense == nil)
            // Nothing is left to confirm.
            #expect(s.refusal(.confirmPELicense(userID: Self.engineer, by: confirmer))?.code == .invalidTransition)
        }
    }

    @Test func theLicenseeOrAnotherRoleDoesNotConfirm() throws {
        var s = try Self.account()
        try s.addUser(DomainFixtures.uuid(4, prefix: "b"), role: .engineer, n: 4)
        for by in [Self.engineer, DomainFixtures.uuid(4, prefix: "b"), DomainFixtures.uuid(99, prefix: "b")] {
            #expect(s.refusal(.confirmPELicense(userID: Self.engineer, by: by))?.code == .invalidTransition)
        }
    }

    @Test func aLicenseRecordedForOneselfIsPending() throws {
        var s = try Self.account()
        try s.run(.setPELicense(userID: Self.admin, license: Self.license, by: Self.admin))
        #expect(s.state.users[Self.admin]?.peLicense == nil)
        #expect(s.state.users[Self.admin]?.pendingPELicense == Self.license)
        // Recorded by an unknown hand (no `by`): pending too.
        try s.run(.setPELicense(userID: Self.owner, license: Self.license))
        #expect(s.state.users[Self.owner]?.peLicense == nil)
        // Recorded by another admin: in effect, and it says by whom.
        try s.run(.setPELicense(userID: Self.admin, license: Self.license, by: Self.owner))
        #expect(s.state.users[Self.admin]?.peLicense?.confirmedBy == Self.owner)
        #expect(s.state.users[Self.admin]?.pendingPELicense == nil)
        // Withdrawn: neither.
        try s.run(.setPELicense(userID: Self.admin, license: nil, by: Self.owner))
        #expect(s.state.users[Self.admin]?.peLicense == nil)
        #expect(s.state.users[Self.admin]?.pendingPELicense == nil)
    }

    @Test(arguments: ["ZZ", "XX", "UK", "ON", "tx", "T"])
    func theIssuingStateIsAUSCode(_ state: String) throws {
        var s = try Self.account()
        let bad = PELicense(number: "PE-1", state: state, expiresOn: Self.license.expiresOn)
        #expect(s.refusal(.setPELicense(userID: Self.admin, license: bad, by: Self.owner))?.field == "pe_license.state")
        #expect(s.refusal(.accept(tokenHash: "none", name: "x", peLicense: bad))?.code == .notFound)
        try s.run(.invite(
            invitationID: DomainFixtures.uuid(9, prefix: "f"), userID: DomainFixtures.uuid(9, prefix: "b"), email: "z@example.com", name: nil,
            role: .engineer, tokenHash: "t9", expiresAt: DomainFixtures.now.addingTimeInterval(3600)))
        #expect(s.refusal(.accept(tokenHash: "t9", name: "Zed", peLicense: bad))?.field == "pe_license.state")
    }

    /// Events written before confirmation existed carry no `confirmed_by`: they replay, as pending.
    @Test func oldEventsReplayAsPending() throws {
        let s = try Self.account()
        let old: JSONValue = ["user_id": .string(Self.admin.uuidString), "pe_license": ["number": "PE-9", "state": "ZZ", "expires_on": "2099-12-31"]]
        let event = EventEnvelope(
            position: s.state.version + 1, stream: .account(DomainFixtures.accountID), version: s.state.version + 1, id: UUID(),
            type: "user.pe_license_changed", schemaVersion: 1, data: old, accountID: DomainFixtures.accountID,
            actor: .user(Self.owner), requestMetadata: .none, reason: nil, recordedAt: DomainFixtures.now, prevHash: "", hash: "")
        var state = s.state
        try state.apply(event)
        #expect(state.users[Self.admin]?.peLicense == nil)
        #expect(state.users[Self.admin]?.pendingPELicense?.state == "ZZ")
        // A pending license whose state is not a US code cannot be confirmed.
        #expect(throws: DomainError.self) {
            try AccountDecider.decide(.confirmPELicense(userID: Self.admin, by: Self.owner), state: state, context: DomainFixtures.context)
        }
    }

    // MARK: - The policy

    static let now = DomainFixtures.now
    static let project = Resource.project(
        ProjectResource(accountID: DomainFixtures.accountID, projectID: DomainFixtures.projectID, status: .submitted))

    static func approver(_ license: PELicense?, role: Role = .engineer) -> Principal {
        Principal(userID: engineer, accountID: DomainFixtures.accountID, role: role, peLicense: license)
    }

    @Test func approvingNeedsALicenseConfirmedBySomeoneElse() {
        let pending = AccessPolicy.decide(Self.approver(Self.license), .calculationApprove, Self.project, AccessContext(now: Self.now))
        #expect(pending.denial?.code == .peLicenseUnconfirmed)
        let own = AccessPolicy.decide(Self.approver(Self.license.confirmed(by: Self.engineer)), .calculationApprove, Self.project, AccessContext(now: Self.now))
        #expect(own.denial?.code == .peLicenseUnconfirmed)
        let confirmed = AccessPolicy.decide(Self.approver(Self.license.confirmed(by: Self.owner)), .calculationApprove, Self.project, AccessContext(now: Self.now))
        #expect(confirmed.isAllowed)
    }

    @Test func noOneConfirmsTheirOwnLicense() {
        let me = Principal(userID: Self.admin, accountID: DomainFixtures.accountID, role: .admin)
        let myself = Resource.user(UserResource(accountID: DomainFixtures.accountID, userID: Self.admin, role: .admin))
        let someoneElse = Resource.user(UserResource(accountID: DomainFixtures.accountID, userID: Self.engineer, role: .engineer))
        let confirming = AccessContext(now: Self.now, confirmsPELicense: true)
        #expect(AccessPolicy.decide(me, .userInvite, myself, confirming).denial?.code == .selfConfirmation)
        #expect(AccessPolicy.decide(me, .userInvite, someoneElse, confirming).isAllowed)
        // Recording one's own license is allowed: it is only pending.
        #expect(AccessPolicy.decide(me, .userInvite, myself, AccessContext(now: Self.now)).isAllowed)
    }

    /// The approval carries the license as it was in effect: who confirmed it is in the event.
    @Test func theApprovalNamesTheConfirmer() throws {
        var p = try ProjectScenario.created()
        try p.run(.runCalculation(calculationID: DomainFixtures.calcA, type: .poleBaseMoment, inputs: DomainFixtures.poleInputs))
        let events = try p.run(.approveCalculation(
            calculationID: DomainFixtures.calcA, revision: 1, approver: Self.engineer, license: Self.license.confirmed(by: Self.owner), reason: "ok"))
        #expect(events.first?.data["pe_license"]?["confirmed_by"] == .string(Self.owner.uuidString))
        #expect(p.refusal(.approveCalculation(
            calculationID: DomainFixtures.calcA, revision: 1, approver: Self.engineer, license: Self.license.confirmed(by: Self.engineer), reason: "ok"))?
            .code == .peLicenseRequired)
    }
}
