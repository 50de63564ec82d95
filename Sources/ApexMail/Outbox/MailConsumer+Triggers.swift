import ApexDomain
import ApexStore
import Foundation

extension MailConsumer {
    /// The messages of `calculation.approved`: to the account's owners and estimators who may
    /// view the calculation on the project as it now is.
    func approvalMessages(_ event: EventEnvelope, account: AccountState) async throws -> [MailOutbox.Queued] {
        let approved = try event.payload(as: CalculationApproved.self)
        guard let projectID = event.stream.projectID, let project = try await projects.load(projectID, from: store) else { return [] }
        let resource = Resource.project(ProjectResource(
            accountID: event.accountID, projectID: projectID, status: project.status, clientID: project.fields.clientID, deleted: project.deleted))
        let engineer = account.users[approved.approvedBy]
        let type = project.calculations[approved.calculationID].map { $0.latest.type.rawValue } ?? ""
        return try await projectMessages(
            event, account: account, resource: resource, permission: .calculationView, template: "calculation_approved",
            values: [
                "project": project.fields.name, "calculation": type, "revision": String(approved.revision),
                "engineer": engineer?.name?.plaintext ?? engineer?.email?.plaintext ?? "", "license": approved.peLicense.number,
            ]
        ) { $0.role == .owner || $0.role == .estimator }
    }

    /// The messages of `webhook.disabled`: to the account's owners, with the endpoint's URL and why.
    func webhookMessages(_ event: EventEnvelope, account: AccountState) async throws -> [MailOutbox.Queued] {
        let disabled = try event.payload(as: WebhookDisabled.self)
        let url = account.webhooks[disabled.webhookID]?.url ?? disabled.webhookID.lowercased
        var out: [MailOutbox.Queued] = []
        for user in account.users.values.sorted(by: { $0.id < $1.id }) where user.isActive && user.role == .owner {
            guard let address = user.email?.plaintext, user.preferences.mailsImmediately("webhook_disabled") else { continue }
            out.append(try await message(
                event, template: "webhook_disabled", user: user.id, address: address, locale: user.preferences.locale,
                values: ["account": account.name, "name": user.name?.plaintext ?? address, "url": url,
                         "gone": disabled.cause == "gone" ? "yes" : "", "date": Self.day(event.recordedAt, for: user)]))
        }
        return out
    }

    /// One message of `template` per active user of `account` whom `chosen` picks, who has an
    /// address, wants `template` mailed at once, and whom the policy grants `permission` on
    /// `resource` when `event` happened. `values` gain the account, the user's name and the date.
    func projectMessages(
        _ event: EventEnvelope, account: AccountState, resource: Resource, permission: Permission, template: String,
        values: [String: String], chosen: (AccountUser) -> Bool
    ) async throws -> [MailOutbox.Queued] {
        var out: [MailOutbox.Queued] = []
        for user in account.users.values.sorted(by: { $0.id < $1.id }) where user.isActive && chosen(user) {
            guard let address = user.email?.plaintext, user.preferences.mailsImmediately(template) else { continue }
            let principal = Principal(userID: user.id, accountID: event.accountID, role: user.role, peLicense: user.peLicense)
            guard AccessPolicy.decide(principal, permission, resource, AccessContext(now: event.recordedAt)).isAllowed else { continue }
            var all = values
            all["account"] = account.name
            all["name"] = user.name?.plaintext ?? address
            all["date"] = Self.day(event.recordedAt, for: user)
            out.append(try await message(event, template: template, user: user.id, address: address, locale: user.preferences.locale, values: all))
        }
        return out
    }
}
