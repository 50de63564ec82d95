public import Foundation

/// One row of the outbox as `GET /v1/notifications/deliveries` shows it.
public struct MailDelivery: Sendable, Hashable {
    /// The message key.
    public var key: String
    /// The event's position in the log.
    public var position: Int64
    /// The event type.
    public var eventType: String
    /// The template.
    public var template: String
    /// The recipient's user id.
    public var recipientUser: String
    /// The recipient's address.
    public var recipient: String
    /// The locale the message was written in.
    public var locale: String
    /// The subject.
    public var subject: String
    /// `queued`, `sent`, `deferred` or `failed`.
    public var status: String
    /// Attempts so far.
    public var attempts: Int
    /// The server's last reply, or why the last attempt did not reach it.
    public var reply: String?
    /// When it was queued.
    public var createdAt: Date
    /// When it last changed.
    public var updatedAt: Date
    /// When the next attempt is due (queued or deferred).
    public var nextAttemptAt: Date?
    /// The `Message-ID` every attempt carries.
    public var messageID: String
}
