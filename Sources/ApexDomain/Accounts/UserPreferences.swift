public import Foundation

/// How a user wants to hear from Apex: the language of email (and of problem details), which
/// notifications are mailed at once, the digest, the time zone.
public struct UserPreferences: Sendable, Hashable, Codable {
    /// The languages email is written in.
    public static let locales: Set<String> = ["en", "es"]
    /// The digest schedules.
    public static let digests: Set<String> = ["off", "daily", "weekly"]
    /// The notification types `immediate` may name.
    public static let types: Set<String> = ["invitation", "user_removed", "project_submitted", "project_approved", "project_sent_back", "calculation_approved", "webhook_disabled"]

    /// `en` or `es`.
    public var locale = "en"
    /// The notification types mailed at once; nil: all of them.
    public var immediate: [String]?
    /// `off`, `daily` or `weekly`.
    public var digest = "off"
    /// An IANA time zone, e.g. `America/Mexico_City`.
    public var timeZone = "UTC"

    /// The defaults: English, every notification at once, no digest, UTC.
    public init() {}

    /// Whether notifications of `type` are mailed at once.
    public func mailsImmediately(_ type: String) -> Bool { immediate.map { $0.contains(type) } ?? true }

    enum CodingKeys: String, CodingKey {
        case locale, immediate, digest
        case timeZone = "time_zone"
    }
}

/// `user.preferences_changed`: a user set their preferences (the whole set, as it now is).
public struct UserPreferencesChanged: DomainEvent {
    /// `user.preferences_changed`.
    public static let type = "user.preferences_changed"
    /// The user.
    public var userID: UUID
    /// The preferences from now on.
    public var preferences: UserPreferences

    /// The payload.
    public init(userID: UUID, preferences: UserPreferences) {
        self.userID = userID
        self.preferences = preferences
    }

    enum CodingKeys: String, CodingKey {
        case userID = "user_id"
        case preferences
    }
}
