public import Foundation

/// `user.tokens_revoked`: every bearer token of the user issued before `not_before` is refused
/// from now on (sign-out everywhere, or an owner or admin revoking them).
public struct UserTokensRevoked: DomainEvent {
    /// `user.tokens_revoked`.
    public static let type = "user.tokens_revoked"
    /// The user.
    public var userID: UUID
    /// The token epoch: tokens issued (`iat`) before it are refused.
    public var notBefore: Date

    /// The payload.
    public init(userID: UUID, notBefore: Date) {
        self.userID = userID
        self.notBefore = notBefore
    }

    enum CodingKeys: String, CodingKey {
        case userID = "user_id"
        case notBefore = "not_before"
    }
}

/// `account.ip_allowlist_changed`: the client addresses the account's users may call from.
public struct AccountIPAllowlistChanged: DomainEvent {
    /// `account.ip_allowlist_changed`.
    public static let type = "account.ip_allowlist_changed"
    /// CIDR ranges in canonical text (``AddressRanges/entries``); empty: no restriction.
    public var ranges: [String]

    /// The payload.
    public init(ranges: [String]) { self.ranges = ranges }
}

/// `account.metadata_expired`: the retention job deleted the request-metadata keys of the months
/// before `before_month`, so the IP addresses and user agents recorded then read as erased.
public struct AccountMetadataExpired: DomainEvent {
    /// `account.metadata_expired`.
    public static let type = "account.metadata_expired"
    /// The first month (`YYYY-MM`) whose metadata is kept; every earlier month's keys are gone.
    public var beforeMonth: String
    /// How many keys this run deleted.
    public var keysDeleted: Int

    /// The payload.
    public init(beforeMonth: String, keysDeleted: Int) {
        self.beforeMonth = beforeMonth
        self.keysDeleted = keysDeleted
    }

    enum CodingKeys: String, CodingKey {
        case beforeMonth = "before_month"
        case keysDeleted = "keys_deleted"
    }
}
