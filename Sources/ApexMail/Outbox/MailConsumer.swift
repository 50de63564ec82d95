public import ApexDomain
public import ApexStore
public import Foundation

/// The consumer of the log (`email`) that turns events into messages in ``MailOutbox``;
/// ``MailSender`` sends them.
///
/// Triggers: `user.invited` mails the invitee (with the one-time token when the API left it in
/// ``MailOutbox/rememberInvitationToken(_:invitation:)``), `user.removed` mails that user.
/// Each message's key is `<event id>:<recipient user id>:<template>`, so a repeated page or a
/// rebuild from position 0 queues nothing twice: ``prepareForReplay()`` keeps the outbox. Events
/// already in the log when the consumer first ran are never mailed.
public struct MailConsumer: LogConsumer {
    /// `email`.
    public static let name = "email"
    /// `email`.
    public var name: String { Self.name }
    /// Addresses and names are needed in plaintext.
    public var readMode: ReadMode { .opened }
    let store: any EventStore
    let outbox: MailOutbox
    let templates: MailTemplates
    let from: String
    let clock: @Sendable () -> Date
    let onEnqueue: @Sendable () -> Void

    /// A consumer of `store` queuing messages from `from`, rendered with `templates`.
    public init(
        store: any EventStore, outbox: MailOutbox, templates: MailTemplates, from: String,
        clock: @escaping @Sendable () -> Date = { Date() }, onEnqueue: @escaping @Sendable () -> Void = {}
    ) {
        self.store = store
        self.outbox = outbox
        self.templates = templates
        self.from = from
        self.clock = clock
        self.onEnqueue = onEnqueue
    }

    /// Creates the tables if missing and, the first time, records the log's head: events up to
    /// it are history, never mailed.
    public func prepareForReplay() async throws {
        guard outbox.isAvailable else { return }
        try await outbox.prepare()
        _ = try await outbox.startPosition(head: try await store.headPosition())
    }

    /// Queues the messages `events` call for.
    public func handle(_ events: [EventEnvelope]) async throws {
        guard outbox.isAvailable else { return }
        try await outbox.prepare()
        let start = try await outbox.startPosition(head: try await store.headPosition())
        var accounts: [UUID: AccountState] = [:]
        func account(_ id: UUID) async throws -> AccountState {
            if let known = accounts[id] { return known }
            let state = try await store.foldStream(.account(id), into: AccountState(), mode: .opened) { state, page in
                for event in page { try state.apply(event) }
            }
            accounts[id] = state
            return state
        }
        var queued: [MailOutbox.Queued] = []
        var tokens: [UUID] = []
        for event in events where event.position > start && event.stream == .account(event.accountID) {
            switch event.type {
            case UserInvited.type:
                let invited = try event.payload(as: UserInvited.self)
                guard let address = invited.email.plaintext else { continue }
                let state = try await account(event.accountID)
                let token = try await outbox.invitationToken(invited.invitationID)
                if token != nil { tokens.append(invited.invitationID) }
                var values = [
                    "account": state.name, "name": invited.name?.plaintext ?? address, "role": invited.role.rawValue,
                    "expires": Self.day(invited.expiresAt),
                ]
                if let token { values["token"] = token }
                queued.append(try await message(
                    event, template: "invitation", user: invited.userID, address: address, locale: "en", values: values))
            case UserRemoved.type:
                let removed = try event.payload(as: UserRemoved.self)
                let state = try await account(event.accountID)
                guard let user = state.users[removed.userID], !user.erased, let address = user.email?.plaintext else { continue }
                queued.append(try await message(
                    event, template: "user_removed", user: removed.userID, address: address, locale: "en",
                    values: ["account": state.name, "name": user.name?.plaintext ?? address, "date": Self.day(event.recordedAt)]))
            default:
                continue
            }
        }
        if !queued.isEmpty {
            try await outbox.enqueue(queued, now: clock())
            onEnqueue()
        }
        try await outbox.forgetInvitationTokens(tokens)
    }

    /// One rendered message of `event` for `user` at `address`.
    func message(_ event: EventEnvelope, template: String, user: UUID, address: String, locale: String, values: [String: String]) async throws -> MailOutbox.Queued {
        let parts = try await templates.render(template, locale: locale, values: values)
        let key = "\(event.id.lowercased):\(user.lowercased):\(template)"
        return MailOutbox.Queued(
            message: MailMessage(key: key, from: from, to: address, subject: parts.subject, text: parts.text, html: parts.html),
            accountID: event.accountID, position: event.position, eventType: event.type, template: template, recipientUser: user, locale: locale)
    }

    /// `2026-12-05` (UTC).
    static func day(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd"
        return formatter.string(from: date)
    }
}
