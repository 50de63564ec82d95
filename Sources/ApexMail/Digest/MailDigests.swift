import ApexDomain
public import ApexStore
public import Foundation
public import Logging

/// Digests: per user whose preferences ask for one (`email.digest` daily or weekly), the
/// activity on the projects they may view since their last digest, mailed at 07:00 in their
/// time zone (weekly: Mondays), in their language.
///
/// Activity comes from `mail_activity`, the read model ``MailConsumer`` keeps, never from the
/// log. Each project is checked with the policy as it now is (a client sees only their
/// projects, a fabricator only approved ones). An empty digest is not sent, but its period
/// counts as covered. A digest's message key names its user and period (``DigestPeriod/key(user:)``),
/// and the period is recorded as covered only after the message is queued: a crash between the
/// two, or two instances at once, queue the same key, which the outbox keeps once.
public struct MailDigests: Sendable {
    let store: any EventStore
    let outbox: MailOutbox
    let templates: MailTemplates
    let from: String
    let logger: Logger
    let accounts = AccountStateCache()
    let projects = ProjectStateCache(budget: 16 << 20)

    /// Digests of `store`'s activity queued in `outbox`, from `from`, rendered with `templates`.
    public init(store: any EventStore, outbox: MailOutbox, templates: MailTemplates, from: String, logger: Logger) {
        self.store = store
        self.outbox = outbox
        self.templates = templates
        self.from = from
        self.logger = logger
    }

    /// How far back an account's activity makes its users' digests worth checking; activity
    /// twice as old is deleted.
    static let lookBack: TimeInterval = 31 * 86_400

    /// Queues every digest due at `now` (with `endingNow`, every user's period ends now: the
    /// operator's `apex-cli notify digest --now`); returns how many messages were queued.
    @discardableResult
    public func queueDue(now: Date = Date(), endingNow: Bool = false) async throws -> Int {
        guard outbox.isAvailable else { return 0 }
        try await outbox.prepare()
        var queued = 0
        for accountID in try await outbox.activeAccounts(since: now.addingTimeInterval(-Self.lookBack)) {
            let account = try await accounts.load(accountID, from: store)
            for user in account.activeUsers where DigestPeriod.length(user.preferences.digest) != nil {
                guard let address = user.email?.plaintext else { continue }
                let zone = TimeZone(identifier: user.preferences.timeZone) ?? TimeZone(identifier: "UTC")!
                let covered = try await outbox.digestCovered(user: user.id)
                guard let period = DigestPeriod.due(user.preferences.digest, timeZone: zone, covered: covered, now: now, endingNow: endingNow) else { continue }
                if try await queue(period, for: user, address: address, zone: zone, account: account, accountID: accountID, now: now) { queued += 1 }
                try await outbox.setDigestCovered(user: user.id, until: period.end)
            }
        }
        try await outbox.pruneActivity(before: now.addingTimeInterval(-2 * Self.lookBack))
        if queued > 0 { logger.info("mail digests queued", metadata: ["mail.digests": "\(queued)"]) }
        return queued
    }

    /// Queues `user`'s digest of `period` unless no project they may view changed; returns whether one was queued.
    func queue(
        _ period: DigestPeriod, for user: AccountUser, address: String, zone: TimeZone, account: AccountState, accountID: UUID, now: Date
    ) async throws -> Bool {
        let activity = try await outbox.activity(account: accountID, after: period.start, through: period.end)
        var order: [UUID] = []
        var changes: [UUID: Int] = [:]
        for item in activity {
            if changes[item.projectID] == nil { order.append(item.projectID) }
            changes[item.projectID, default: 0] += 1
        }
        let principal = Principal(userID: user.id, accountID: accountID, role: user.role, peLicense: user.peLicense)
        let locale = user.preferences.locale
        var rows: [[String: String]] = []
        for id in order {
            guard let project = try await projects.load(id, from: store) else { continue }
            let resource = Resource.project(ProjectResource(
                accountID: accountID, projectID: id, status: project.status, clientID: project.fields.clientID, deleted: project.deleted))
            guard AccessPolicy.decide(principal, .projectView, resource, AccessContext(now: now)).isAllowed else { continue }
            rows.append([
                "project": project.fields.name, "status": project.status.rawValue,
                "changes": MailFormat.number(changes[id] ?? 0, locale: locale),
            ])
        }
        guard !rows.isEmpty else { return false }
        let values: [String: Any] = [
            "account": account.name, "name": user.name?.plaintext ?? address, "projects": rows,
            "from": MailFormat.date(period.start, locale: locale, timeZone: zone),
            "to": MailFormat.date(period.end, locale: locale, timeZone: zone),
            "count": MailFormat.number(rows.count, locale: locale), period.cadence: true,
        ]
        let parts = try await templates.render("digest", locale: locale, values: values)
        let key = period.key(user: user.id)
        try await outbox.enqueue([MailOutbox.Queued(
            message: MailMessage(key: key, from: from, to: address, subject: parts.subject, text: parts.text, html: parts.html),
            accountID: accountID, position: activity.last?.position ?? 0, eventType: "digest", template: "digest", recipientUser: user.id,
            locale: locale)], now: Date())  // due at once, even for a period computed for another time
        return true
    }
}
