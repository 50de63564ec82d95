public import Foundation

/// An account's webhook endpoint as its account stream says it is (secrets are not part of it).
public struct WebhookEndpoint: Sendable, Hashable {
    /// The endpoint.
    public var id: UUID
    /// Where messages are posted.
    public var url: String
    /// Event type patterns.
    public var eventTypes: [String]
    /// What it is for.
    public var description: String?
    /// Whether messages are delivered.
    public var enabled = true
    /// Why delivery disabled it (`gone`, `failing`), while it stays disabled.
    public var disabledCause: String?
    /// Deleted: no longer listed or delivered to.
    public var deleted = false
    /// When the current secret's predecessor stops signing, after a rotation.
    public var previousSecretExpiresAt: Date?

    /// An endpoint.
    public init(id: UUID, url: String, eventTypes: [String], description: String?) {
        self.id = id
        self.url = url
        self.eventTypes = eventTypes
        self.description = description
    }

    /// Whether an event of `type` matches one of the endpoint's patterns: the exact type,
    /// `prefix.*` for every type under `prefix.`, or `*` for all.
    public func matches(_ type: String) -> Bool { Self.matches(type, patterns: eventTypes) }

    /// Whether `type` matches one of `patterns`.
    public static func matches(_ type: String, patterns: [String]) -> Bool {
        patterns.contains { pattern in
            if pattern == "*" { return true }
            if pattern.hasSuffix(".*") { return type.hasPrefix(pattern.dropLast()) }
            return pattern == type
        }
    }

    /// Whether `pattern` is well formed: `*`, or dot-separated segments of `[a-z0-9_]`, the
    /// last of which may be `*`.
    public static func isValidPattern(_ pattern: String) -> Bool {
        guard !pattern.isEmpty, pattern.count <= 100 else { return false }
        if pattern == "*" { return true }
        let segments = pattern.split(separator: ".", omittingEmptySubsequences: false)
        for (i, segment) in segments.enumerated() {
            if segment == "*" { if i == segments.count - 1 && i > 0 { continue } else { return false } }
            guard !segment.isEmpty, segment.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "_") }) else { return false }
        }
        return true
    }
}

extension AccountState {
    /// Folds a `webhook.*` event into ``webhooks``.
    mutating func applyWebhook(_ event: EventEnvelope) throws {
        switch event.type {
        case WebhookCreated.type:
            let e = try event.payload(as: WebhookCreated.self)
            webhooks[e.webhookID] = WebhookEndpoint(id: e.webhookID, url: e.url, eventTypes: e.eventTypes, description: e.description)
        case WebhookUpdated.type:
            let e = try event.payload(as: WebhookUpdated.self)
            if let url = e.url { webhooks[e.webhookID]?.url = url }
            if let types = e.eventTypes { webhooks[e.webhookID]?.eventTypes = types }
            if let d = e.description { webhooks[e.webhookID]?.description = d }
            if let enabled = e.enabled {
                webhooks[e.webhookID]?.enabled = enabled
                if enabled { webhooks[e.webhookID]?.disabledCause = nil }
            }
        case WebhookDeleted.type:
            webhooks[try event.payload(as: WebhookDeleted.self).webhookID]?.deleted = true
        case WebhookSecretRotated.type:
            let e = try event.payload(as: WebhookSecretRotated.self)
            webhooks[e.webhookID]?.previousSecretExpiresAt = e.previousExpiresAt
        case WebhookDisabled.type:
            let e = try event.payload(as: WebhookDisabled.self)
            webhooks[e.webhookID]?.enabled = false
            webhooks[e.webhookID]?.disabledCause = e.cause
        default:
            throw DomainError(.unknownEventType, "unknown account event type '\(event.type)'")
        }
    }
}
