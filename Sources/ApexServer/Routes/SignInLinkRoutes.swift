import ApexDomain
import ApexMail
import ApexStore
import ApexWeb
import Foundation
import HTTPTypes
import Hummingbird
import Logging

/// `POST /v1/sign-in-links {email}`: mails a one-time sign-in link to every active membership
/// of the address (one message per account, each link signing in to that account), found by
/// the blind index ``SignInAddresses`` (kept by the `sign-in-addresses` consumer).
///
/// A public route (no token; the `public` rate limit). It always answers 202 with the same
/// body, known address or not, and the address is never logged or stored: it is hashed at once
/// and counted by its hash, at most ``SignInRequestLimit/quota`` requests an address per
/// window (429 `rate_limited` beyond, for known and unknown addresses alike). Messages go
/// straight into the mail outbox (template `sign_in_link`, in the recipient's language), where
/// the link's token sits until sent.
struct SignInLinkRoutes {
    let api: ApexAPI
    let index: SignInAddresses
    let templates: MailTemplates
    let limit: SignInRequestLimit

    init(api: ApexAPI) {
        self.api = api
        self.index = SignInAddresses(store: api.store, secret: api.configuration.jwtSecret, logger: Logger(label: "apex.server.sign-in"))
        self.templates = MailTemplates(directory: api.configuration.mail.templatesDirectory)
        self.limit = SignInRequestLimit()
    }

    /// The one answer, whatever the address.
    static let accepted: JSONValue = [
        "status": "accepted",
        "detail": "if the address belongs to a user, a sign-in link was mailed to it",
    ]

    func register(on router: RouterGroup<ApexRequestContext>) {
        router.post("sign-in-links") { request, context in try await mailLinks(request, context) }
    }

    /// Validates, counts, finds the memberships and queues their messages; always the same 202.
    private func mailLinks(_ request: Request, _ context: ApexRequestContext) async throws -> Response {
        let body = try await BodyReader.read(request, limit: api.configuration.bodyLimit).only(["email"])
        let address = SignInAddresses.normalised(try body.requiredString("email"))
        try Self.validate(address)
        guard index.isAvailable, api.mail.isAvailable else {
            throw APIError(.serviceUnavailable, code: "sign_in_unavailable", "this store keeps no feature tables; sign-in links by email need SQLite or PostgreSQL")
        }
        let now = api.configuration.clock()
        let hash = index.hash(address)
        if let retry = try await index.admit(hash: hash, now: now, limit: limit) {
            var error = APIError(
                .tooManyRequests, code: "rate_limited",
                "too many sign-in links asked for this address (at most \(limit.quota) per \(limit.window.components.seconds) s); retry after \(retry) s")
            error.headers[.retryAfter] = String(retry)
            error.headers[.rateLimitPolicy] = "\"sign-in-email\";q=\(limit.quota);w=\(limit.window.components.seconds)"
            error.headers[.rateLimit] = "\"sign-in-email\";r=0;t=\(retry)"
            throw error
        }
        try await ConsumerCatchUp(index.consumer, store: api.store, logger: context.logger).run()
        var messages: [MailOutbox.Direct] = []
        let requestID = UUID().uuidString.lowercased()
        for membership in try await index.memberships(hash: hash) {
            let account = try await api.directory.state(of: membership.account)
            // The index may lag a removal or erasure by a moment: the account's state decides.
            guard let user = account.users[membership.user], user.isActive, let email = user.email?.plaintext,
                  SignInAddresses.normalised(email) == address else { continue }
            let token = api.signInLinks.issue(user: user.id, account: membership.account, now: now)
            let expires = api.signInLinks.verify(token, now: now)?.expiresAt ?? now.addingTimeInterval(15 * 60)
            let locale = user.preferences.locale
            let zone = TimeZone(identifier: user.preferences.timeZone) ?? .gmt
            messages.append(MailOutbox.Direct(
                key: "sign_in_link:\(requestID):\(user.id.lowercased)", account: membership.account, user: user.id, address: email, locale: locale,
                template: "sign_in_link",
                values: [
                    "account": account.name, "name": user.name?.plaintext ?? email,
                    "link": SignInLinks.url(base: api.configuration.publicBaseURL, token: token),
                    "expires": MailFormat.dateTime(expires, locale: locale, timeZone: zone),
                ],
                cause: "sign_in_link.requested"))
        }
        if !messages.isEmpty {
            try await api.mail.enqueue(messages, templates: templates, from: api.configuration.mail.from, position: try await api.store.headPosition(), now: now)
        }
        return Response.json(Self.accepted, status: .accepted)
    }

    /// 422 `invalid_input` unless `address` (normalised) looks like `name@example.com`.
    static func validate(_ address: String) throws {
        let parts = address.split(separator: "@", omittingEmptySubsequences: false)
        let plain = address.unicodeScalars.allSatisfy { !CharacterSet.whitespacesAndNewlines.contains($0) && !CharacterSet.controlCharacters.contains($0) }
        guard address.utf8.count <= 254, parts.count == 2, !parts[0].isEmpty, parts[1].contains("."), !parts[1].hasPrefix("."),
              !parts[1].hasSuffix("."), plain
        else { throw APIError(.unprocessableContent, code: "invalid_input", "'email' must be an email address like name@example.com", field: "email") }
    }
}
