public import Foundation

/// A user as the account knows them.
public struct AccountUser: Sendable, Hashable {
    /// The user.
    public var id: UUID
    /// Their name (plaintext, or erased).
    public var name: Personal?
    /// Their email.
    public var email: Personal?
    /// Their role.
    public var role: Role
    /// Their PE license in effect: recorded or confirmed by an owner or admin other than them
    /// (``PELicense/confirmedBy`` is set). Only this one lets them approve.
    public var peLicense: PELicense?
    /// A license they declared themselves (at acceptance, or recording their own), or one recorded
    /// before confirmation existed: not in effect until another owner or admin confirms it.
    public var pendingPELicense: PELicense?
    /// Removed users keep their history but lose access.
    public var removed = false
    /// Their personal data key is gone.
    public var erased = false
    /// Their token epoch: bearer tokens issued before it are refused (nil: none revoked).
    public var tokensNotBefore: Date?
    /// How the user wants to hear from Apex (`user.preferences_changed`).
    public var preferences = UserPreferences()
}

extension AccountUser {
    /// The user's name as a person is shown it: as recorded, or `[erased]` once their personal
    /// data was erased (whatever the value still held in memory); nil when none was recorded.
    /// Every view that names a user (API, history, audit trails, reports) uses this one rule.
    public var shownName: String? { shown(name) }

    /// The user's email as a person is shown it (see ``shownName``).
    public var shownEmail: String? { shown(email) }

    private func shown(_ value: Personal?) -> String? {
        erased ? Personal.erasedMarker : value?.display
    }

    /// Whether the user may still sign in: neither removed nor erased.
    public var isActive: Bool { !removed && !erased }

    /// Records `license` as in effect when someone other than this user confirmed it, else as pending
    /// (a license recorded before confirmation existed has no `confirmed_by`: pending); nil withdraws both.
    mutating func setLicense(_ license: PELicense?) {
        if let license, let by = license.confirmedBy, by != id {
            peLicense = license
            pendingPELicense = nil
        } else {
            peLicense = nil
            pendingPELicense = license?.confirmed(by: nil)
        }
    }
}

/// An open invitation.
public struct Invitation: Sendable, Hashable {
    /// The invitation.
    public var id: UUID
    /// The user id it will create.
    public var userID: UUID
    /// The invitee's email.
    public var email: Personal
    /// The invitee's name, if given.
    public var name: Personal?
    /// The role offered.
    public var role: Role
    /// SHA-256 of the token.
    public var tokenHash: String
    /// When it lapses.
    public var expiresAt: Date
    /// Accepted already.
    public var accepted = false
}

/// An account (tenant) as the fold of its stream: users, invitations, settings.
public struct AccountState: Sendable, Hashable {
    /// The account (nil before `account.created`).
    public var id: UUID?
    /// Its name.
    public var name = ""
    /// Users by id, removed ones included.
    public var users: [UUID: AccountUser] = [:]
    /// Invitations by id.
    public var invitations: [UUID: Invitation] = [:]
    /// Days request metadata is kept.
    public var metadataRetentionDays = 365
    /// The client addresses the account's users may call from (empty: anywhere).
    public var ipAllowlist = AddressRanges.any
    /// The first month (`YYYY-MM`) whose request metadata the retention job kept, if it ran.
    public var metadataKeptFrom: String?
    /// The account's webhook endpoints, deleted ones included (``WebhookEndpoint/deleted``).
    public var webhooks: [UUID: WebhookEndpoint] = [:]
    /// The stream version this state reflects.
    public var version: Int64 = 0

    /// An empty state.
    public init() {}

    /// Active users: neither removed nor erased (an erased user can no longer sign in).
    public var activeUsers: [AccountUser] { users.valuesInIDOrder.filter(\.isActive) }
    /// The active users whose role is `client`: who a project's `client_id` may name.
    public var clientIDs: Set<UUID> { Set(users.values.filter { $0.isActive && $0.role == .client }.map(\.id)) }
    /// How many active owners the account has.
    public var ownerCount: Int { activeUsers.filter { $0.role == .owner }.count }

    /// Folds one event into the state. Unknown types fail: the stream would not replay truthfully.
    public mutating func apply(_ event: EventEnvelope) throws {
        guard event.version == version + 1 else {
            throw DomainError(.invalidInput, "event version \(event.version) does not follow \(version)")
        }
        switch event.type {
        case AccountCreated.type:
            let e = try event.payload(as: AccountCreated.self)
            id = e.accountID
            name = e.name
            users[e.ownerID] = AccountUser(id: e.ownerID, name: e.ownerName, email: e.ownerEmail, role: .owner)
        case UserInvited.type:
            let e = try event.payload(as: UserInvited.self)
            invitations[e.invitationID] = Invitation(
                id: e.invitationID, userID: e.userID, email: e.email, name: e.name, role: e.role, tokenHash: e.tokenHash,
                expiresAt: e.expiresAt)
        case UserJoined.type:
            let e = try event.payload(as: UserJoined.self)
            invitations[e.invitationID]?.accepted = true
            let invitation = invitations[e.invitationID]
            // Self-declared: pending until another owner or admin confirms it.
            users[e.userID] = AccountUser(
                id: e.userID, name: e.name, email: invitation?.email, role: invitation?.role ?? .client, peLicense: nil,
                pendingPELicense: e.peLicense?.confirmed(by: nil))
        case UserRoleChanged.type:
            let e = try event.payload(as: UserRoleChanged.self)
            users[e.userID]?.role = e.to
        case UserPELicenseChanged.type:
            let e = try event.payload(as: UserPELicenseChanged.self)
            users[e.userID]?.setLicense(e.peLicense)
        case UserRemoved.type:
            users[try event.payload(as: UserRemoved.self).userID]?.removed = true
        case UserErased.type:
            let e = try event.payload(as: UserErased.self)
            users[e.userID]?.erased = true
            // The key is gone: replays show the personal fields erased, whatever they held in memory.
            users[e.userID]?.name?.content = .erased
            users[e.userID]?.email?.content = .erased
            for (id, invitation) in invitations where invitation.userID == e.userID {
                invitations[id]?.email.content = .erased
                invitations[id]?.name?.content = .erased
            }
        case UserTokensRevoked.type:
            let e = try event.payload(as: UserTokensRevoked.self)
            users[e.userID]?.tokensNotBefore = e.notBefore
        case AccountIPAllowlistChanged.type:
            ipAllowlist = try AddressRanges(parsing: try event.payload(as: AccountIPAllowlistChanged.self).ranges)
        case AccountMetadataExpired.type:
            metadataKeptFrom = try event.payload(as: AccountMetadataExpired.self).beforeMonth
        case AccessDenied.type, AuditAnomalyFlagged.type:
            break
        case WebhookCreated.type, WebhookUpdated.type, WebhookDeleted.type, WebhookSecretRotated.type, WebhookDisabled.type:
            try applyWebhook(event)
        case UserPreferencesChanged.type:
            let e = try event.payload(as: UserPreferencesChanged.self)
            users[e.userID]?.preferences = e.preferences
        case AccountSettingsChanged.type:
            metadataRetentionDays = try event.payload(as: AccountSettingsChanged.self).metadataRetentionDays
        default:
            throw DomainError(.unknownEventType, "unknown account event type '\(event.type)'")
        }
        version = event.version
    }

    /// The state after folding `events`.
    public static func replay<S: Sequence>(_ events: S) throws -> AccountState where S.Element == EventEnvelope {
        var state = AccountState()
        for event in events { try state.apply(event) }
        return state
    }
}
