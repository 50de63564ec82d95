import ApexDomain
import ApexStore
import Foundation
import Hummingbird

/// `GET`/`PATCH /v1/me/preferences`: the caller's own preferences (`locale`, `email.immediate`,
/// `email.digest`, `time_zone`), stored as `user.preferences_changed` in the account stream.
/// Like `GET /v1/me`, about the caller alone: every role may read and set its own.
struct PreferenceRoutes {
    let api: ApexAPI

    func register(on router: RouterGroup<ApexRequestContext>) {
        router.get("me/preferences") { _, context in
            let me = try context.requireIdentity()
            let account = try await api.directory.state(of: me.principal.accountID)
            return Response.json(Self.present(account.users[me.principal.userID]?.preferences ?? UserPreferences()))
        }
        router.patch("me/preferences") { request, context in
            let me = try context.requireIdentity()
            let body = try await BodyReader.read(request, limit: api.configuration.bodyLimit).only(["locale", "email", "time_zone"])
            var next = UserPreferences()
            try await api.changeAccount(me.principal.accountID, context) { account in
                let current = account.users[me.principal.userID]?.preferences ?? UserPreferences()
                next = try Self.changed(current, by: body)
                guard next != current else { return [] }
                return [try UserPreferencesChanged(userID: me.principal.userID, preferences: next).draft()]
            }
            return Response.json(Self.present(next))
        }
    }

    /// `current` with the members `body` gives, each checked (422 with the member's `field`).
    static func changed(_ current: UserPreferences, by body: BodyReader) throws -> UserPreferences {
        var next = current
        if let locale = try body.string("locale") {
            guard UserPreferences.locales.contains(locale) else {
                throw APIError(.unprocessableContent, code: "invalid_locale", "locale must be en or es", field: "locale")
            }
            next.locale = locale
        }
        if let zone = try body.string("time_zone") {
            guard TimeZone(identifier: zone) != nil else {
                throw APIError(.unprocessableContent, code: "invalid_time_zone", "time_zone must be an IANA time zone such as Europe/Madrid", field: "time_zone")
            }
            next.timeZone = zone
        }
        if let email = body.object["email"] {
            guard case .object(let members) = email, Set(members.keys).isSubset(of: ["immediate", "digest"]) else {
                throw APIError.badRequest("email must be an object with immediate and/or digest", code: "invalid_type", field: "email")
            }
            if let digest = members["digest"] {
                guard case .string(let text) = digest, UserPreferences.digests.contains(text) else {
                    throw APIError(.unprocessableContent, code: "invalid_digest", "email.digest must be off, daily or weekly", field: "email.digest")
                }
                next.digest = text
            }
            if let immediate = members["immediate"] {
                guard case .array(let items) = immediate else {
                    throw APIError.badRequest("email.immediate must be a list of notification types", code: "invalid_type", field: "email.immediate")
                }
                var types: [String] = []
                for item in items {
                    guard case .string(let type) = item, UserPreferences.types.contains(type) else {
                        throw APIError(
                            .unprocessableContent, code: "invalid_notification_type",
                            "email.immediate takes \(UserPreferences.types.sorted().joined(separator: ", "))", field: "email.immediate")
                    }
                    if !types.contains(type) { types.append(type) }
                }
                next.immediate = types
            }
        }
        return next
    }

    /// The preferences as JSON (`immediate` lists every type when all are mailed).
    static func present(_ p: UserPreferences) -> JSONValue {
        [
            "locale": .string(p.locale), "time_zone": .string(p.timeZone),
            "email": ["immediate": .array((p.immediate ?? UserPreferences.types.sorted()).map(JSONValue.string)), "digest": .string(p.digest)],
        ]
    }
}
