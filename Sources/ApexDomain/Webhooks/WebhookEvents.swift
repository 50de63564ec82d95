public import Foundation

/// `webhook.created`: an endpoint of the account that receives signed messages for the event
/// types it names. The secret is never in the event: it lives in the webhook feature's table.
public struct WebhookCreated: DomainEvent {
    /// `webhook.created`.
    public static let type = "webhook.created"
    /// The endpoint.
    public var webhookID: UUID
    /// Where messages are posted (`https://…`).
    public var url: String
    /// Event type patterns: exact types (`calculation.approved`), `prefix.*` or `*`.
    public var eventTypes: [String]
    /// What the endpoint is for, if given.
    public var description: String?

    /// The payload.
    public init(webhookID: UUID, url: String, eventTypes: [String], description: String?) {
        self.webhookID = webhookID
        self.url = url
        self.eventTypes = eventTypes
        self.description = description
    }

    enum CodingKeys: String, CodingKey {
        case webhookID = "webhook_id"
        case url
        case eventTypes = "event_types"
        case description
    }
}

/// `webhook.updated`: the fields given changed (nil: unchanged).
public struct WebhookUpdated: DomainEvent {
    /// `webhook.updated`.
    public static let type = "webhook.updated"
    /// The endpoint.
    public var webhookID: UUID
    /// The new URL.
    public var url: String?
    /// The new event type patterns.
    public var eventTypes: [String]?
    /// The new description.
    public var description: String?
    /// Enabled or disabled by a person.
    public var enabled: Bool?

    /// The payload.
    public init(webhookID: UUID, url: String? = nil, eventTypes: [String]? = nil, description: String? = nil, enabled: Bool? = nil) {
        self.webhookID = webhookID
        self.url = url
        self.eventTypes = eventTypes
        self.description = description
        self.enabled = enabled
    }

    enum CodingKeys: String, CodingKey {
        case webhookID = "webhook_id"
        case url
        case eventTypes = "event_types"
        case description, enabled
    }
}

/// `webhook.deleted`: the endpoint receives nothing more and is no longer listed.
public struct WebhookDeleted: DomainEvent {
    /// `webhook.deleted`.
    public static let type = "webhook.deleted"
    /// The endpoint.
    public var webhookID: UUID

    /// The payload.
    public init(webhookID: UUID) { self.webhookID = webhookID }

    enum CodingKeys: String, CodingKey { case webhookID = "webhook_id" }
}

/// `webhook.secret_rotated`: a new signing secret; the previous one keeps signing (a second
/// signature) until `previousExpiresAt`. Neither secret is in the event.
public struct WebhookSecretRotated: DomainEvent {
    /// `webhook.secret_rotated`.
    public static let type = "webhook.secret_rotated"
    /// The endpoint.
    public var webhookID: UUID
    /// When the previous secret stops signing.
    public var previousExpiresAt: Date

    /// The payload.
    public init(webhookID: UUID, previousExpiresAt: Date) {
        self.webhookID = webhookID
        self.previousExpiresAt = previousExpiresAt
    }

    enum CodingKeys: String, CodingKey {
        case webhookID = "webhook_id"
        case previousExpiresAt = "previous_expires_at"
    }
}

/// `webhook.disabled`: delivery stopped the endpoint (it answered 410 Gone, or failed for days).
public struct WebhookDisabled: DomainEvent {
    /// `webhook.disabled`.
    public static let type = "webhook.disabled"
    /// The endpoint.
    public var webhookID: UUID
    /// Why: `gone` (410) or `failing` (failed for the whole disable window).
    public var cause: String

    /// The payload.
    public init(webhookID: UUID, cause: String) {
        self.webhookID = webhookID
        self.cause = cause
    }

    enum CodingKeys: String, CodingKey {
        case webhookID = "webhook_id"
        case cause
    }
}
