public import Foundation

/// What is asked of an account's users and settings.
public enum AccountCommand: Sendable, Hashable {
    /// Create the account and its first owner.
    case create(accountID: UUID, name: String, ownerID: UUID, ownerName: String, ownerEmail: String)
    /// Invite someone; only the token's SHA-256 is recorded.
    case invite(invitationID: UUID, userID: UUID, email: String, name: String?, role: Role, tokenHash: String, expiresAt: Date)
    /// Accept an invitation by its token's hash.
    case accept(tokenHash: String, name: String, peLicense: PELicense?)
    /// Change a user's role.
    case changeRole(userID: UUID, to: Role)
    /// Record, renew or withdraw a user's PE license. It takes effect when `by` is an owner or
    /// admin other than the licensee; otherwise (their own, or `by` unknown) it is pending.
    case setPELicense(userID: UUID, license: PELicense?, by: UUID? = nil)
    /// Confirm the license a user declared themselves: `by` must be an active owner or admin
    /// other than the licensee.
    case confirmPELicense(userID: UUID, by: UUID)
    /// Remove a user, with a reason.
    case remove(userID: UUID, reason: String?)
    /// Record that a user's personal data was erased, with a reason.
    case erase(userID: UUID, reason: String?)
    /// Set how long request metadata is kept (1-3650 days).
    case setRetention(days: Int)
    /// Refuse every token of the user issued before `notBefore` (sign-out everywhere).
    case revokeTokens(userID: UUID, notBefore: Date)
    /// Set the client addresses the account may be called from (empty: anywhere).
    case setIPAllowlist(AddressRanges)
    /// Record that the retention job deleted the request-metadata keys of months before `beforeMonth`.
    case recordMetadataExpired(beforeMonth: String, keysDeleted: Int)
}

/// Commands to events for accounts: the invariants that hold whoever asks.
public enum AccountDecider {
    /// The events that carry out `command`, or the rule it breaks.
    public static func decide(_ command: AccountCommand, state: AccountState, context: DecisionContext) throws(DomainError) -> [DraftEvent] {
        if case .create(let accountID, let name, let ownerID, let ownerName, let ownerEmail) = command {
            guard state.id == nil else { throw DomainError(.alreadyExists, "the account exists already") }
            try validateName(name, field: "name")
            try validateName(ownerName, field: "owner_name")
            try validateEmail(ownerEmail, field: "owner_email")
            return [try DecideSupport.draft(AccountCreated(accountID: accountID, name: name, ownerID: ownerID, ownerName: ownerName, ownerEmail: ownerEmail))]
        }
        guard state.id != nil else { throw DomainError(.notFound, "the account does not exist") }
        switch command {
        case .create: fatalError("handled above")
        case .invite(let invitationID, let userID, let email, let name, let role, let tokenHash, let expiresAt):
            try validateEmail(email, field: "email")
            if let name { try validateName(name, field: "name") }
            guard state.users[userID] == nil, state.invitations[invitationID] == nil,
                !state.invitations.values.contains(where: { $0.userID == userID })
            else { throw DomainError(.alreadyExists, "the invitation or user id is in use already; use new ids") }
            let taken = state.activeUsers.contains { $0.email?.plaintext?.lowercased() == email.lowercased() }
            guard !taken else { throw DomainError(.alreadyExists, "a user with this email is already in the account", field: "email") }
            return [try DecideSupport.draft(UserInvited(invitationID: invitationID, userID: userID, email: email, name: name, role: role, tokenHash: tokenHash, expiresAt: expiresAt))]
        case .accept(let tokenHash, let name, let license):
            guard let invitation = state.invitations.values.first(where: { $0.tokenHash == tokenHash }), !invitation.accepted else {
                throw DomainError(.notFound, "the invitation does not exist or was used already")
            }
            guard invitation.expiresAt > context.now else { throw DomainError(.notFound, "the invitation has expired; ask for a new one") }
            try validateName(name, field: "name")
            try license?.validate()
            // Self-declared: recorded without `confirmed_by`, pending until another owner or admin confirms it.
            return [try DecideSupport.draft(UserJoined(
                invitationID: invitation.id, userID: invitation.userID, name: name, peLicense: license?.confirmed(by: nil)))]
        case .changeRole(let userID, let to):
            let user = try activeUser(userID, in: state)
            guard user.role != to else { return [] }
            if user.role == .owner, state.ownerCount <= 1 {
                throw DomainError(.lastOwner, "the last owner cannot be demoted; make another user owner first")
            }
            return [try DecideSupport.draft(UserRoleChanged(userID: userID, from: user.role, to: to))]
        case .setPELicense(let userID, let license, let by):
            _ = try activeUser(userID, in: state)
            try license?.validate()
            let confirmer = by.flatMap { isConfirmer($0, of: userID, in: state) ? $0 : nil }
            return [try DecideSupport.draft(UserPELicenseChanged(userID: userID, peLicense: license?.confirmed(by: confirmer)))]
        case .confirmPELicense(let userID, let by):
            let user = try activeUser(userID, in: state)
            guard let pending = user.pendingPELicense else {
                throw DomainError(.invalidTransition, "user \(userID.lowercased) has no pending PE license to confirm")
            }
            guard isConfirmer(by, of: userID, in: state) else {
                throw DomainError(
                    .invalidTransition, "a PE license is confirmed by an owner or admin other than the licensee")
            }
            try pending.validate()
            return [try DecideSupport.draft(UserPELicenseChanged(userID: userID, peLicense: pending.confirmed(by: by)))]
        case .remove(let userID, let reason):
            let user = try activeUser(userID, in: state)
            if user.role == .owner, state.ownerCount <= 1 {
                throw DomainError(.lastOwner, "the last owner cannot be removed; make another user owner first")
            }
            return [try DecideSupport.draft(UserRemoved(userID: userID), reason: try DecideSupport.required(reason, "removing a user"))]
        case .erase(let userID, let reason):
            guard let user = state.users[userID] else { throw DomainError(.notFound, "user \(userID.lowercased) does not exist") }
            guard !user.erased else { return [] }
            if user.role == .owner, !user.removed, state.ownerCount <= 1 {
                throw DomainError(.lastOwner, "the last owner cannot be erased; make another user owner first")
            }
            return [try DecideSupport.draft(UserErased(userID: userID), reason: try DecideSupport.required(reason, "erasing a user's personal data"))]
        case .setRetention(let days):
            guard (1...3650).contains(days) else {
                throw DomainError(.invalidInput, "retention must be 1-3650 days", field: "metadata_retention_days")
            }
            return [try DecideSupport.draft(AccountSettingsChanged(metadataRetentionDays: days))]
        case .revokeTokens(let userID, let notBefore):
            guard let user = state.users[userID], user.isActive else { throw DomainError(.notFound, "user \(userID.lowercased) does not exist") }
            return [try DecideSupport.draft(UserTokensRevoked(userID: userID, notBefore: notBefore))]
        case .setIPAllowlist(let ranges):
            guard ranges != state.ipAllowlist else { return [] }
            return [try DecideSupport.draft(AccountIPAllowlistChanged(ranges: ranges.entries))]
        case .recordMetadataExpired(let beforeMonth, let keysDeleted):
            return [try DecideSupport.draft(AccountMetadataExpired(beforeMonth: beforeMonth, keysDeleted: keysDeleted))]
        }
    }

    private static func activeUser(_ id: UUID, in state: AccountState) throws(DomainError) -> AccountUser {
        guard let user = state.users[id], !user.removed else { throw DomainError(.notFound, "user \(id.lowercased) does not exist") }
        return user
    }

    /// Whether `by` may put `userID`'s license in effect: an active owner or admin, not the licensee.
    private static func isConfirmer(_ by: UUID, of userID: UUID, in state: AccountState) -> Bool {
        guard by != userID, let confirmer = state.users[by], !confirmer.removed else { return false }
        return confirmer.role == .owner || confirmer.role == .admin
    }

    private static func validateName(_ name: String, field: String) throws(DomainError) {
        let trimmed = name.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty, name.count <= 200 else {
            throw DomainError(.invalidInput, "\(field) must be 1-200 characters", field: field)
        }
        try TextRules.check(name, field: field)
    }

    private static func validateEmail(_ email: String, field: String) throws(DomainError) {
        let parts = email.split(separator: "@", omittingEmptySubsequences: false)
        guard email.count <= 254, parts.count == 2, !parts[0].isEmpty, parts[1].contains("."), !email.contains(" ") else {
            throw DomainError(.invalidInput, "'\(field)' must be an email address like name@example.com", field: field)
        }
        try TextRules.check(email, field: field)
    }
}
