import ApexDomain
public import Foundation

extension MailOutbox {
    /// A message queued by a request rather than by an event of the log (a sign-in link).
    public struct Direct: Sendable {
        /// The message's unique key (its `Message-ID` derives from it): one per request and recipient.
        public var key: String
        /// The recipient's account (whose deliveries list shows it).
        public var account: UUID
        /// The recipient.
        public var user: UUID
        /// Their address.
        public var address: String
        /// Their language (`en`, `es`).
        public var locale: String
        /// The template's name.
        public var template: String
        /// The template's values.
        public var values: [String: String]
        /// What the deliveries list shows as the message's cause, e.g. `sign_in_link.requested`.
        public var cause: String

        /// A message of `template` to `user` of `account` at `address`.
        public init(
            key: String, account: UUID, user: UUID, address: String, locale: String, template: String, values: [String: String], cause: String
        ) {
            self.key = key
            self.account = account
            self.user = user
            self.address = address
            self.locale = locale
            self.template = template
            self.values = values
            self.cause = cause
        }
    }

    /// Renders `messages` with `templates` and queues them from `from` at `now`, ordered after
    /// the log's `position` (the head when the request was made); a key queued already is
    /// left as it is. Whatever the values hold (a link's token) sits in the outbox until sent.
    public func enqueue(_ messages: [Direct], templates: MailTemplates, from: String, position: Int64, now: Date) async throws {
        guard isAvailable else { throw MailError(.unavailable, "this store keeps no feature tables; mail needs SQLite or PostgreSQL") }
        try await prepare()
        var queued: [Queued] = []
        for m in messages {
            let parts = try await templates.render(m.template, locale: m.locale, values: m.values)
            queued.append(Queued(
                message: MailMessage(key: m.key, from: from, to: m.address, subject: parts.subject, text: parts.text, html: parts.html),
                accountID: m.account, position: position, eventType: m.cause, template: m.template, recipientUser: m.user, locale: m.locale))
        }
        try await enqueue(queued, now: now)
    }
}
