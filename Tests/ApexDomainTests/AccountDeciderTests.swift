import ApexDomain
import Foundation
import Testing

private let ownerText = "b0000000-0000-4000-8000-000000000001"
private let engineerID = DomainFixtures.engineerID
private let newUser = DomainFixtures.uuid(77, prefix: "b")

/// An invitation of `newUser` as an estimator, expiring a day after ``DomainFixtures/now``.
private func invite(
    _ invitationID: UUID = DomainFixtures.uuid(1, prefix: "f"), userID: UUID = newUser, email: String = "grace@example.com",
    name: String? = "Grace", role: Role = .estimator, token: String = "hash-1",
    expiresAt: Date = DomainFixtures.date("2026-01-28T10:00:00Z")
) -> AccountCommand {
    .invite(invitationID: invitationID, userID: userID, email: email, name: name, role: role, tokenHash: token, expiresAt: expiresAt)
}

@Suite struct AccountCreateTests {
    @Test func createRecordsTheAccountAndItsOwner() throws {
        var s = AccountScenario()
        let events = try s.run(
            .create(
                accountID: DomainFixtures.accountID, name: "Acme Signs", ownerID: DomainFixtures.ownerID, ownerName: "Ada Lovelace",
                ownerEmail: "ada@example.com"))
        #expect(events.map(\.type) == ["account.created"])
        #expect(
            events.first?.data == [
                "account_id": "A0000000-0000-4000-8000-000000000001", "name": "Acme Signs", "owner_id": "B0000000-0000-4000-8000-000000000001",
                "owner_name": ["pii": .string("user:\(ownerText)"), "value": "Ada Lovelace"],
                "owner_email": ["pii": .string("user:\(ownerText)"), "value": "ada@example.com"],
            ])
        let state = s.state
        #expect(state.id == DomainFixtures.accountID)
        #expect(state.name == "Acme Signs")
        #expect(state.version == 1)
        #expect(state.metadataRetentionDays == 365)
        #expect(state.ownerCount == 1)
        let owner = try #require(state.users[DomainFixtures.ownerID])
        #expect(owner.role == .owner)
        #expect(owner.name?.plaintext == "Ada Lovelace")
        #expect(owner.email?.plaintext == "ada@example.com")
        #expect(!owner.removed)
        #expect(!owner.erased)
    }

    @Test func createTwiceIsRefused() throws {
        let s = try AccountScenario.created()
        #expect(
            s.refusal(.create(accountID: DomainFixtures.accountID, name: "Again", ownerID: engineerID, ownerName: "B", ownerEmail: "b@example.com"))
                == DomainError(.alreadyExists, "the account exists already"))
    }

    @Test func commandsBeforeCreateAreNotFound() {
        let s = AccountScenario()
        for command in [invite(), .setRetention(days: 30), .changeRole(userID: DomainFixtures.ownerID, to: .admin)] {
            #expect(s.refusal(command) == DomainError(.notFound, "the account does not exist"))
        }
    }

    @Test(arguments: [
        ("", "Ada", "ada@example.com", "name must be 1-200 characters", "name"),
        ("  ", "Ada", "ada@example.com", "name must be 1-200 characters", "name"),
        (String(repeating: "n", count: 201), "Ada", "ada@example.com", "name must be 1-200 characters", "name"),
        ("Acme", "", "ada@example.com", "owner_name must be 1-200 characters", "owner_name"),
        ("Acme", "Ada", "ada", "'owner_email' must be an email address like name@example.com", "owner_email"),
        ("Acme", "Ada", "ada@example", "'owner_email' must be an email address like name@example.com", "owner_email"),
        ("Acme", "Ada", "@example.com", "'owner_email' must be an email address like name@example.com", "owner_email"),
        ("Acme", "Ada", "a@b@example.com", "'owner_email' must be an email address like name@example.com", "owner_email"),
        ("Acme", "Ada", "ada lovelace@example.com", "'owner_email' must be an email address like name@example.com", "owner_email"),
    ])
    func createValidates(name: String, ownerName: String, email: String, message: String, field: String) {
        let error = AccountScenario().refusal(
            .create(accountID: DomainFixtures.accountID, name: name, ownerID: DomainFixtures.ownerID, ownerName: ownerName, ownerEmail: email))
        #expect(error == DomainError(.invalidInput, message, field: field))
    }

    @Test func twoHundredCharacterNameIsAllowed() throws {
        var s = AccountScenario()
        try s.run(
            .create(
                accountID: DomainFixtures.accountID, name: String(repeating: "n", count: 200), ownerID: DomainFixtures.ownerID,
                ownerName: "Ada", ownerEmail: "a@b.co"))
        #expect(s.state.name.count == 200)
    }
}

@Suite struct InvitationTests {
    @Test func inviteRecordsTheTokenHashOnly() throws {
        var s = try AccountScenario.created()
        let events = try s.run(invite())
        #expect(events.map(\.type) == ["user.invited"])
        let userText = newUser.lowercased
        #expect(
            events.first?.data == [
                "invitation_id": "F0000000-0000-4000-8000-000000000001", "user_id": .string(newUser.uuidString),
                "email": ["pii": .string("user:\(userText)"), "value": "grace@example.com"],
                "name": ["pii": .string("user:\(userText)"), "value": "Grace"],
                "role": "estimator", "token_hash": "hash-1", "expires_at": "2026-01-28T10:00:00.000000Z",
            ])
        let invitation = try #require(s.state.invitations[DomainFixtures.uuid(1, prefix: "f")])
        #expect(invitation.userID == newUser)
        #expect(invitation.role == .estimator)
        #expect(invitation.tokenHash == "hash-1")
        #expect(invitation.expiresAt == DomainFixtures.date("2026-01-28T10:00:00Z"))
        #expect(!invitation.accepted)
        #expect(s.state.users[newUser] == nil)
    }

    @Test func inviteWithoutNameOmitsIt() throws {
        let drafts = try AccountScenario.created().decide(invite(name: nil))
        #expect(drafts.first?.data["name"] == nil)
    }

    @Test func emailOfAnActiveUserIsTaken() throws {
        let s = try AccountScenario.created()
        #expect(
            s.refusal(invite(email: "ADA@Example.com"))
                == DomainError(.alreadyExists, "a user with this email is already in the account", field: "email"))
    }

    @Test func emailOfARemovedUserCanBeInvitedAgain() throws {
        var s = try AccountScenario.created()
        try s.addUser(engineerID, role: .engineer, n: 5)
        try s.run(.remove(userID: engineerID, reason: "left"))
        #expect(throws: Never.self) { try s.decide(invite(email: "user5@example.com")) }
    }

    @Test func inviteValidates() throws {
        let s = try AccountScenario.created()
        #expect(s.refusal(invite(email: "nope")) == DomainError(.invalidInput, "'email' must be an email address like name@example.com", field: "email"))
        #expect(s.refusal(invite(name: " ")) == DomainError(.invalidInput, "name must be 1-200 characters", field: "name"))
    }

    /// Reusing a member's id would overwrite that member when the invitation is accepted.
    @Test func inviteCannotReuseAUserOrInvitationID() throws {
        var s = try AccountScenario.created()
        let inUse = DomainError(.alreadyExists, "the invitation or user id is in use already; use new ids")
        #expect(s.refusal(invite(userID: DomainFixtures.ownerID)) == inUse)
        try s.run(invite())
        // The same invitation id, or the same future user id.
        #expect(s.refusal(invite(userID: DomainFixtures.uuid(78, prefix: "b"), email: "other@example.com", token: "hash-2")) == inUse)
        #expect(s.refusal(invite(DomainFixtures.uuid(2, prefix: "f"), email: "other@example.com", token: "hash-2")) == inUse)
        #expect(throws: Never.self) {
            try s.decide(invite(DomainFixtures.uuid(2, prefix: "f"), userID: DomainFixtures.uuid(78, prefix: "b"), email: "other@example.com", token: "hash-2"))
        }
    }

    @Test func acceptJoinsWithTheInvitedRoleAndEmail() throws {
        var s = try AccountScenario.created()
        try s.run(invite(role: .engineer))
        let events = try s.run(.accept(tokenHash: "hash-1", name: "Grace Hopper", peLicense: DomainFixtures.license))
        #expect(events.map(\.type) == ["user.joined"])
        #expect(
            events.first?.data == [
                "invitation_id": "F0000000-0000-4000-8000-000000000001", "user_id": .string(newUser.uuidString),
                "name": ["pii": .string("user:\(newUser.lowercased)"), "value": "Grace Hopper"],
                "pe_license": ["number": "PE-12345", "state": "TX", "expires_on": "2027-06-30"],
            ])
        let user = try #require(s.state.users[newUser])
        #expect(user.role == .engineer)
        #expect(user.name?.plaintext == "Grace Hopper")
        #expect(user.email?.plaintext == "grace@example.com")
        // Self-declared at acceptance: pending until another owner or admin confirms it.
        #expect(user.peLicense == nil)
        #expect(user.pendingPELicense == DomainFixtures.license)
        #expect(s.state.invitations[DomainFixtures.uuid(1, prefix: "f")]?.accepted == true)
        #expect(s.state.activeUsers.map(\.id) == [DomainFixtures.ownerID, newUser].sorted { $0.uuidString < $1.uuidString })
    }

    @Test func invitationIsUsedOnce() throws {
        var s = try AccountScenario.created()
        try s.run(invite())
        try s.run(.accept(tokenHash: "hash-1", name: "Grace", peLicense: nil))
        #expect(
            s.refusal(.accept(tokenHash: "hash-1", name: "Grace", peLicense: nil))
                == DomainError(.notFound, "the invitation does not exist or was used already"))
    }

    @Test func unknownTokenIsNotFound() throws {
        var s = try AccountScenario.created()
        try s.run(invite())
        #expect(
            s.refusal(.accept(tokenHash: "hash-2", name: "Grace", peLicense: nil))
                == DomainError(.notFound, "the invitation does not exist or was used already"))
    }

    @Test func expiredInvitationIsRefused() throws {
        var s = try AccountScenario.created()
        let expires = DomainFixtures.date("2026-01-28T10:00:00Z")
        try s.run(invite(expiresAt: expires))
        let accept = AccountCommand.accept(tokenHash: "hash-1", name: "Grace", peLicense: nil)
        let expired = DomainError(.notFound, "the invitation has expired; ask for a new one")
        #expect(s.refusal(accept, now: expires) == expired)
        #expect(s.refusal(accept, now: DomainFixtures.date("2026-02-01T00:00:00Z")) == expired)
        #expect(throws: Never.self) { try s.decide(accept, now: DomainFixtures.date("2026-01-28T09:59:59.999999Z")) }
    }

    @Test func acceptValidatesNameAndLicense() throws {
        var s = try AccountScenario.created()
        try s.run(invite())
        #expect(s.refusal(.accept(tokenHash: "hash-1", name: "", peLicense: nil)) == DomainError(.invalidInput, "name must be 1-200 characters", field: "name"))
        let noNumber = PELicense(number: "", state: "TX", expiresOn: CivilDate(year: 2027, month: 1, day: 1))
        #expect(
            s.refusal(.accept(tokenHash: "hash-1", name: "Grace", peLicense: noNumber))
                == DomainError(.invalidInput, "pe_license.number must be 1-40 characters", field: "pe_license.number"))
        for state in ["Texas", "T", "T1", "", "ÄB"] {
            let bad = PELicense(number: "1", state: state, expiresOn: CivilDate(year: 2027, month: 1, day: 1))
            #expect(
                s.refusal(.accept(tokenHash: "hash-1", name: "Grace", peLicense: bad))
                    == DomainError(
                        .invalidInput, "pe_license.state must be the code of a US state, DC or territory, such as TX, DC or PR", field: "pe_license.state"),
                "state \(state)")
        }
    }
}

@Suite struct RoleTests {
    @Test func roleChangeRecordsFromAndTo() throws {
        var s = try AccountScenario.created()
        try s.addUser(engineerID, role: .estimator, n: 2)
        let events = try s.run(.changeRole(userID: engineerID, to: .engineer))
        #expect(events.map(\.type) == ["user.role_changed"])
        #expect(events.first?.data == ["user_id": "B0000000-0000-4000-8000-000000000002", "from": "estimator", "to": "engineer"])
        #expect(s.state.users[engineerID]?.role == .engineer)
    }

    @Test func sameRoleGivesNoEvent() throws {
        var s = try AccountScenario.created()
        try s.addUser(engineerID, role: .engineer, n: 2)
        #expect(try s.decide(.changeRole(userID: engineerID, to: .engineer)).isEmpty)
        #expect(try s.decide(.changeRole(userID: DomainFixtures.ownerID, to: .owner)).isEmpty)
    }

    @Test(arguments: Role.allCases.filter { $0 != .owner })
    func lastOwnerCannotBeDemoted(_ role: Role) throws {
        let s = try AccountScenario.created()
        #expect(
            s.refusal(.changeRole(userID: DomainFixtures.ownerID, to: role))
                == DomainError(.lastOwner, "the last owner cannot be demoted; make another user owner first"))
    }

    @Test func ownerCanBeDemotedOnceThereIsAnother() throws {
        var s = try AccountScenario.created()
        try s.addUser(engineerID, role: .admin, n: 2)
        try s.run(.changeRole(userID: engineerID, to: .owner))
        #expect(s.state.ownerCount == 2)
        try s.run(.changeRole(userID: DomainFixtures.ownerID, to: .admin))
        #expect(s.state.ownerCount == 1)
        #expect(s.refusal(.changeRole(userID: engineerID, to: .admin))?.code == .lastOwner)
    }

    @Test func removedOwnersDoNotCount() throws {
        var s = try AccountScenario.created()
        try s.addUser(engineerID, role: .owner, n: 2)
        try s.run(.remove(userID: engineerID, reason: "left"))
        #expect(s.state.ownerCount == 1)
        #expect(s.refusal(.changeRole(userID: DomainFixtures.ownerID, to: .admin))?.code == .lastOwner)
    }

    @Test func unknownOrRemovedUserIsNotFound() throws {
        var s = try AccountScenario.created()
        let missing = DomainFixtures.uuid(99, prefix: "b")
        #expect(
            s.refusal(.changeRole(userID: missing, to: .admin))
                == DomainError(.notFound, "user b0000000-0000-4000-8000-000000000099 does not exist"))
        try s.addUser(engineerID, role: .engineer, n: 2)
        try s.run(.remove(userID: engineerID, reason: "left"))
        #expect(s.refusal(.changeRole(userID: engineerID, to: .admin))?.code == .notFound)
        #expect(s.refusal(.remove(userID: engineerID, reason: "again"))?.code == .notFound)
        #expect(s.refusal(.setPELicense(userID: engineerID, license: nil))?.code == .notFound)
    }
}

@Suite struct RemovalTests {
    @Test func removeNeedsAReason() throws {
        var s = try AccountScenario.created()
        try s.addUser(engineerID, role: .engineer, n: 2)
        for reason in [nil, "", "  "] as [String?] {
            #expect(s.refusal(.remove(userID: engineerID, reason: reason)) == DomainError(.reasonRequired, "removing a user needs a reason", field: "reason"))
        }
        let events = try s.run(.remove(userID: engineerID, reason: "left the firm"))
        #expect(events.map(\.type) == ["user.removed"])
        #expect(events.first?.data == ["user_id": "B0000000-0000-4000-8000-000000000002"])
        #expect(events.first?.reason == "left the firm")
        #expect(s.state.users[engineerID]?.removed == true)
        #expect(s.state.activeUsers.map(\.id) == [DomainFixtures.ownerID])
    }

    @Test func lastOwnerCannotBeRemoved() throws {
        var s = try AccountScenario.created()
        #expect(
            s.refusal(.remove(userID: DomainFixtures.ownerID, reason: "bye"))
                == DomainError(.lastOwner, "the last owner cannot be removed; make another user owner first"))
        try s.addUser(engineerID, role: .owner, n: 2)
        try s.run(.remove(userID: DomainFixtures.ownerID, reason: "handed over"))
        #expect(s.state.ownerCount == 1)
        #expect(s.refusal(.remove(userID: engineerID, reason: "bye"))?.code == .lastOwner)
    }
}

@Suite struct ErasureTests {
    @Test func eraseNeedsAReasonAndHappensOnce() throws {
        var s = try AccountScenario.created()
        try s.addUser(engineerID, role: .engineer, n: 2)
        #expect(
            s.refusal(.erase(userID: engineerID, reason: nil))
                == DomainError(.reasonRequired, "erasing a user's personal data needs a reason", field: "reason"))
        let events = try s.run(.erase(userID: engineerID, reason: "GDPR request 17"))
        #expect(events.map(\.type) == ["user.erased"])
        #expect(events.first?.data == ["user_id": "B0000000-0000-4000-8000-000000000002"])
        #expect(events.first?.reason == "GDPR request 17")
        #expect(s.state.users[engineerID]?.erased == true)
        #expect(try s.decide(.erase(userID: engineerID, reason: "again")).isEmpty)
    }

    @Test func erasedUserShowsErasedPersonalData() throws {
        var s = try AccountScenario.created()
        try s.addUser(engineerID, role: .engineer, n: 2)
        try s.run(.erase(userID: engineerID, reason: "GDPR request 17"))
        let user = try #require(s.state.users[engineerID])
        #expect(user.name?.display == "[erased]")
        #expect(user.email?.display == "[erased]")
        #expect(user.name?.plaintext == nil)
        #expect(user.role == .engineer)
        #expect(s.state.users[DomainFixtures.ownerID]?.name?.display == "Ada Lovelace")
        #expect(s.state.invitations.values.first { $0.userID == engineerID }?.email.display == "[erased]")
    }

    @Test func removedUsersCanBeErased() throws {
        var s = try AccountScenario.created()
        try s.addUser(engineerID, role: .engineer, n: 2)
        try s.run(.remove(userID: engineerID, reason: "left"))
        #expect(try s.run(.erase(userID: engineerID, reason: "GDPR")).count == 1)
    }

    @Test func unknownUserCannotBeErased() throws {
        let s = try AccountScenario.created()
        #expect(
            s.refusal(.erase(userID: DomainFixtures.uuid(99, prefix: "b"), reason: "x"))
                == DomainError(.notFound, "user b0000000-0000-4000-8000-000000000099 does not exist"))
    }
}

@Suite struct AccountSettingsTests {
    @Test(arguments: [1, 30, 365, 3650])
    func retentionWithinBounds(_ days: Int) throws {
        var s = try AccountScenario.created()
        let events = try s.run(.setRetention(days: days))
        #expect(events.map(\.type) == ["account.settings_changed"])
        #expect(events.first?.data == ["metadata_retention_days": .number(Double(days))])
        #expect(s.state.metadataRetentionDays == days)
    }

    @Test(arguments: [Int.min, -1, 0, 3651, 100_000])
    func retentionOutOfBounds(_ days: Int) throws {
        let s = try AccountScenario.created()
        #expect(
            s.refusal(.setRetention(days: days))
                == DomainError(.invalidInput, "retention must be 1-3650 days", field: "metadata_retention_days"))
    }

    @Test func peLicenseIsSetAndWithdrawn() throws {
        var s = try AccountScenario.created()
        try s.addUser(engineerID, role: .engineer, n: 2)
        let set = try s.run(.setPELicense(userID: engineerID, license: DomainFixtures.license, by: DomainFixtures.ownerID))
        #expect(set.map(\.type) == ["user.pe_license_changed"])
        #expect(
            set.first?.data == [
                "user_id": "B0000000-0000-4000-8000-000000000002",
                "pe_license": [
                    "number": "PE-12345", "state": "TX", "expires_on": "2027-06-30", "confirmed_by": "B0000000-0000-4000-8000-000000000001",
                ],
            ])
        #expect(s.state.users[engineerID]?.peLicense == DomainFixtures.license.confirmed(by: DomainFixtures.ownerID))
        try s.run(.setPELicense(userID: engineerID, license: nil, by: DomainFixtures.ownerID))
        #expect(s.state.users[engineerID]?.peLicense == nil)
        let bad = PELicense(number: String(repeating: "9", count: 41), state: "TX", expiresOn: CivilDate(year: 2027, month: 1, day: 1))
        #expect(s.refusal(.setPELicense(userID: engineerID, license: bad))?.field == "pe_license.number")
    }

    @Test func accessDeniedIsKeptWithoutChangingTheAccount() throws {
        let s = try AccountScenario.created()
        let before = s.state
        var stamper = s.stamper
        let denied = try AccessDenied(action: "project.delete", resource: "project/x", code: "no_rule", message: "no").draft()
        let event = stamper.stamp([denied])[0]
        #expect(event.data == ["action": "project.delete", "resource": "project/x", "code": "no_rule", "message": "no"])
        var state = s.state
        try state.apply(event)
        #expect(state.version == 2)
        state.version = 1
        #expect(state == before)
    }

    @Test func foldRefusesGapsAndUnknownTypes() throws {
        let s = try AccountScenario.created()
        var state = s.state
        var stamper = s.stamper
        var event = stamper.stamp([try AccountSettingsChanged(metadataRetentionDays: 10).draft()])[0]
        event.version = 5
        #expect(throws: DomainError(.invalidInput, "event version 5 does not follow 1")) { try state.apply(event) }
        event.version = 2
        event.type = "account.exploded"
        #expect(throws: DomainError(.unknownEventType, "unknown account event type 'account.exploded'")) { try state.apply(event) }
        #expect(state == s.state)
    }

    @Test func replayFromScratchEqualsTheIncrementalFold() throws {
        var s = try AccountScenario.created()
        try s.addUser(engineerID, role: .engineer, n: 2)
        try s.run(.changeRole(userID: engineerID, to: .owner))
        try s.run(.setRetention(days: 90))
        try s.run(.erase(userID: engineerID, reason: "GDPR"))
        #expect(try AccountState.replay(s.events) == s.state)
        #expect(s.state.version == 6)
    }

    @Test func eventTypeNames() {
        #expect(
            [
                AccountCreated.type, UserInvited.type, UserJoined.type, UserRoleChanged.type, UserPELicenseChanged.type, UserRemoved.type,
                UserErased.type, AccessDenied.type, AccountSettingsChanged.type,
            ] == [
                "account.created", "user.invited", "user.joined", "user.role_changed", "user.pe_license_changed", "user.removed", "user.erased",
                "access.denied", "account.settings_changed",
            ])
    }
}
