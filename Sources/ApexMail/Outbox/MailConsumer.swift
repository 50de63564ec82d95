public import ApexDomain
public import ApexStore
public import Foundation

/// The consumer of the log (`email`) that turns events into messages in ``MailOutbox``;
/// ``MailSender`` sends them.
///
/// Triggers: `user.invited` mails the invitee (with the one-time token when the API left it in
/// ``MailOutbox/rememberInvitationToken(_:invitation:)``, and the acceptance link
/// `{linkBase}/ui/invitations/accept?token=TOKEN`), `user.removed` mails that user, a
/// project's status change to submitted, approved or back from submitted mails the account's
/// owners and admins and the project's client, `calculation.approved` mails the account's owners
/// and estimators, `webhook.disabled` mails the account's owners; project mail goes only to
/// those the policy lets view the project as it now is. Each user's preferences pick the
/// language and which of these are mailed (`email.immediate`). A project is read from a
/// ``ProjectStateCache`` (what is new since the last read), never from a list of the account's projects,
/// and an account from an ``AccountStateCache`` likewise.
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
    let linkBase: String?
    let clock: @Sendable () -> Date
    let onEnqueue: @Sendable () -> Void
    let projects = ProjectStateCache(budget: 16 << 20)
    let accountStates = AccountStateCache()

    /// A consumer of `store` queuing messages from `from`, rendered with `templates`; links
    /// (the invitation's acceptance page) start with `linkBase` (the server's public base URL).
    public init(
        store: any EventStore, outbox: MailOutbox, templates: MailTemplates, from: String, linkBase: String? = nil,
        clock: @escaping @Sendable () -> Date = { Date() }, onEnqueue: @escaping @Sendable () -> Void = {}
    ) {
        self.store = store
        self.outbox = outbox
        self.templates = templates
        self.from = from
        self.linkBase = linkBase.map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 }
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
            let state = try await accountStates.load(id, from: store)
            accounts[id] = state
            return state
        }
        try await outbox.recordActivity(events.filter { $0.position > start })
        var queued: [MailOutbox.Queued] = []
        var tokens: [UUID] = []
        for event in events where event.position > start {
            if event.type == ProjectStatusChanged.type {
                queued += try await statusMessages(event, account: try await account(event.accountID))
                continue
            }
            if event.type == CalculationApproved.type {
                queued += try await approvalMessages(event, account: try await account(event.accountID))
                continue
            }
            guard event.stream == .account(event.accountID) else { continue }
            switch event.type {
            case UserInvited.type:
                let invited = try event.payload(as: UserInvited.self)
                guard let address = invited.email.plaintext else { continue }
                let state = try await account(event.accountID)
                let token = try await outbox.invitationToken(invited.invitationID)
                if token != nil { tokens.append(invited.invitationID) }
                var values = [
                    "account": state.name, "name": invited.name?.plaintext ?? address, "role": invited.role.rawValue,
                    "expires": MailFormat.date(invited.expiresAt, locale: "en", timeZone: .gmt),
                ]
                if let token {
                    values["token"] = token
                    if let linkBase {
                        let query = token.addingPercentEncoding(withAllowedCharacters: Self.queryValue) ?? token
                        values["link"] = "\(linkBase)/ui/invitations/accept?token=\(query)"
                    }
                }
                queued.append(try await message(
                    event, template: "invitation", user: invited.userID, address: address, locale: "en", values: values))
            case UserRemoved.type:
                let removed = try event.payload(as: UserRemoved.self)
                let state = try await account(event.accountID)
                guard let user = state.users[removed.userID], !user.erased, let address = user.email?.plaintext,
                      user.preferences.mailsImmediately("user_removed") else { continue }
                queued.append(try await message(
                    event, template: "user_removed", user: removed.userID, address: address, locale: user.preferences.locale,
                    values: ["account": state.name, "name": user.name?.plaintext ?? address, "date": Self.day(event.recordedAt, for: user)]))
            case WebhookDisabled.type:
                queued += try await webhookMessages(event, account: try await account(event.accountID))
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

    /// The messages of a project's status change to submitted, approved, or back from
    /// submitted (sent back): to the account's owners and admins and the project's client, each
    /// only if the policy lets them view the project as it now is.
    func statusMessages(_ event: EventEnvelope, account: AccountState) async throws -> [MailOutbox.Queued] {
        let change = try event.payload(as: ProjectStatusChanged.self)
        guard let projectID = event.stream.projectID else { return [] }
        let template: String
        switch (change.from, change.to) {
        case (_, .submitted): template = "project_submitted"
        case (_, .approved): template = "project_approved"
        case (.submitted, .draft), (.submitted, .estimating): template = "project_sent_back"
        default: return []
        }
        guard let project = try await projects.load(projectID, from: store) else { return [] }
        let resource = Resource.project(ProjectResource(
            accountID: event.accountID, projectID: projectID, status: change.to, clientID: project.fields.clientID, deleted: project.deleted))
        return try await projectMessages(
            event, account: account, resource: resource, permission: .projectView, template: template,
            values: ["project": project.fields.name, "from": change.from.rawValue, "to": change.to.rawValue]
        ) { $0.role == .owner || $0.role == .admin || $0.id == project.fields.clientID }
    }

    /// One rendered message of `event` for `user` at `address`.
    func message(_ event: EventEnvelope, template: String, user: UUID, address: String, locale: String, values: [String: String]) async throws -> MailOutbox.Queued {
        let parts = try await templates.render(template, locale: locale, values: values)
        let key = "\(event.id.lowercased):\(user.lowercased):\(template)"
        return MailOutbox.Queued(
            message: MailMessage(key: key, from: from, to: address, subject: parts.subject, text: parts.text, html: parts.html),
            accountID: event.accountID, position: event.position, eventType: event.type, template: template, recipientUser: user, locale: locale)
    }

    /// What may stand unescaped in a query value.
    static let queryValue = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

    /// `date` as `user` reads it: a long date in their language and time zone
    /// ("December 5, 2026", "5 de diciembre de 2026").
    static func day(_ date: Date, for user: AccountUser) -> String {
        MailFormat.date(date, locale: user.preferences.locale, timeZone: TimeZone(identifier: user.preferences.timeZone) ?? .gmt)
    }
}
