public import Foundation

/// `account.created`: a tenant and its first owner.
public struct AccountCreated: DomainEvent {
    /// `account.created`.
    public static let type = "account.created"
    /// The account.
    public var accountID: UUID
    /// The account's name.
    public var name: String
    /// The first owner.
    public var ownerID: UUID
    /// The owner's name (personal).
    public var ownerName: Personal
    /// The owner's email (personal).
    public var ownerEmail: Personal

    /// The payload.
    public init(accountID: UUID, name: String, ownerID: UUID, ownerName: String, ownerEmail: String) {
        self.accountID = accountID
        self.name = name
        self.ownerID = ownerID
        self.ownerName = Personal(ownerName, subject: DataSubject.user(ownerID.lowercased))
        self.ownerEmail = Personal(ownerEmail, subject: DataSubject.user(ownerID.lowercased))
    }

    enum CodingKeys: String, CodingKey {
        case accountID = "account_id"
        case name
        case ownerID = "owner_id"
        case ownerName = "owner_name"
        case ownerEmail = "owner_email"
    }
}

/// `user.invited`: an invitation; the future user's id is fixed now so their data has one key.
public struct UserInvited: DomainEvent {
    /// `user.invited`.
    public static let type = "user.invited"
    /// The invitation.
    public var invitationID: UUID
    /// The id the user will have once they join.
    public var userID: UUID
    /// The invitee's email (personal).
    public var email: Personal
    /// The invitee's name, if given (personal).
    public var name: Personal?
    /// The role they will have.
    public var role: Role
    /// SHA-256 (hex) of the one-time token; the token itself is never stored.
    public var tokenHash: String
    /// When the invitation lapses.
    public var expiresAt: Date

    /// The payload.
    public init(invitationID: UUID, userID: UUID, email: String, name: String?, role: Role, tokenHash: String, expiresAt: Date) {
        self.invitationID = invitationID
        self.userID = userID
        self.email = Personal(email, subject: DataSubject.user(userID.lowercased))
        self.name = name.map { Personal($0, subject: DataSubject.user(userID.lowercased)) }
        self.role = role
        self.tokenHash = tokenHash
        self.expiresAt = expiresAt
    }

    enum CodingKeys: String, CodingKey {
        case invitationID = "invitation_id"
        case userID = "user_id"
        case email, name, role
        case tokenHash = "token_hash"
        case expiresAt = "expires_at"
    }
}

/// `user.joined`: an invitation was accepted.
public struct UserJoined: DomainEvent {
    /// `user.joined`.
    public static let type = "user.joined"
    /// The accepted invitation.
    public var invitationID: UUID
    /// The new user.
    public var userID: UUID
    /// Their name (personal).
    public var name: Personal
    /// Their PE license, if they hold one.
    public var peLicense: PELicense?

    /// The payload.
    public init(invitationID: UUID, userID: UUID, name: String, peLicense: PELicense?) {
        self.invitationID = invitationID
        self.userID = userID
        self.name = Personal(name, subject: DataSubject.user(userID.lowercased))
        self.peLicense = peLicense
    }

    enum CodingKeys: String, CodingKey {
        case invitationID = "invitation_id"
        case userID = "user_id"
        case name
        case peLicense = "pe_license"
    }
}

/// `user.role_changed`.
public struct UserRoleChanged: DomainEvent {
    /// `user.role_changed`.
    public static let type = "user.role_changed"
    /// The user.
    public var userID: UUID
    /// The role before.
    public var from: Role
    /// The role after.
    public var to: Role

    /// The payload.
    public init(userID: UUID, from: Role, to: Role) {
        self.userID = userID
        self.from = from
        self.to = to
    }

    enum CodingKeys: String, CodingKey {
        case userID = "user_id"
        case from, to
    }
}

/// `user.pe_license_changed`: a user's PE license was recorded, renewed or withdrawn.
public struct UserPELicenseChanged: DomainEvent {
    /// `user.pe_license_changed`.
    public static let type = "user.pe_license_changed"
    /// The user.
    public var userID: UUID
    /// The license now (nil: none).
    public var peLicense: PELicense?

    /// The payload.
    public init(userID: UUID, peLicense: PELicense?) {
        self.userID = userID
        self.peLicense = peLicense
    }

    enum CodingKeys: String, CodingKey {
        case userID = "user_id"
        case peLicense = "pe_license"
    }
}

/// `user.removed`: the user loses access at once.
public struct UserRemoved: DomainEvent {
    /// `user.removed`.
    public static let type = "user.removed"
    /// The user.
    public var userID: UUID

    /// The payload.
    public init(userID: UUID) { self.userID = userID }

    enum CodingKeys: String, CodingKey { case userID = "user_id" }
}

/// `user.erased`: the user's personal data key was destroyed (GDPR erasure).
public struct UserErased: DomainEvent {
    /// `user.erased`.
    public static let type = "user.erased"
    /// The user.
    public var userID: UUID

    /// The payload.
    public init(userID: UUID) { self.userID = userID }

    enum CodingKeys: String, CodingKey { case userID = "user_id" }
}

/// `access.denied`: the policy refused a request; kept in the account's trail.
public struct AccessDenied: DomainEvent {
    /// `access.denied`.
    public static let type = "access.denied"
    /// The permission asked for, e.g. `project.delete`.
    public var action: String
    /// The resource, e.g. `project/<uuid>`.
    public var resource: String
    /// The denial's stable code.
    public var code: String
    /// Why, as the policy said it.
    public var message: String
    /// How many identical denials this event stands for, when the server coalesced repeats
    /// (absent: one). Events recorded before the field existed have none.
    public var count: Int?

    /// The payload.
    public init(action: String, resource: String, code: String, message: String, count: Int? = nil) {
        self.action = action
        self.resource = resource
        self.code = code
        self.message = message
        self.count = count
    }
}

/// `account.settings_changed`: e.g. how long request metadata is kept.
public struct AccountSettingsChanged: DomainEvent {
    /// `account.settings_changed`.
    public static let type = "account.settings_changed"
    /// Days request metadata is kept (the keys of older months are deleted).
    public var metadataRetentionDays: Int

    /// The payload.
    public init(metadataRetentionDays: Int) { self.metadataRetentionDays = metadataRetentionDays }

    enum CodingKeys: String, CodingKey { case metadataRetentionDays = "metadata_retention_days" }
}
