import ApexDomain
import ApexStore
import ApexWebhooks
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// `/v1/webhooks`: the account's endpoints (`account.manage`, owner). Changes are `webhook.*`
/// events in the account stream; the signing secret is kept in the webhook feature's table and
/// shown only in the answers that create it (create, rotate-secret). Another account's
/// endpoint, or a deleted one, is a 404.
struct WebhookRoutes {
    let api: ApexAPI

    func register(on router: RouterGroup<ApexRequestContext>) {
        router.post("webhooks") { request, context in
            let me = try await authorize(context)
            let body = try await BodyReader.read(request, limit: api.configuration.bodyLimit).only(["url", "event_types", "description"])
            let url = try await checkedURL(try body.requiredString("url"))
            guard let types = try body.strings("event_types") else {
                throw APIError(.unprocessableContent, code: "invalid_event_types", "event_types is required: a list such as [\"project.*\"]", field: "event_types")
            }
            let patterns = try Self.patterns(types)
            let description = try Self.description(try body.string("description"))
            let webhooks = try available()
            let id = UUID()
            let secret = WebhookSecret.generate()
            // The secret first: an event never names an endpoint without one.
            try await webhooks.putSecret(secret, endpoint: id, account: me.principal.accountID)
            try await append(WebhookCreated(webhookID: id, url: url, eventTypes: patterns, description: description), me, context)
            var endpoint = WebhookEndpoint(id: id, url: url, eventTypes: patterns, description: description)
            endpoint.enabled = true
            var json = Present.webhook(endpoint).objectValue ?? [:]
            json["secret"] = .string(secret.text)
            return Response.json(.object(json), status: .created, headers: [.location: "/v1/webhooks/\(id.lowercased)"])
        }
        router.get("webhooks") { _, context in
            let me = try await authorize(context)
            let account = try await api.directory.state(of: me.principal.accountID)
            let items = account.webhooks.valuesInIDOrder.filter { !$0.deleted }
            return Response.json(["items": .array(items.map(Present.webhook))])
        }
        router.get("webhooks/:id") { request, context in
            let me = try await authorize(context)
            return Response.json(Present.webhook(try await endpoint(request, context, me)))
        }
        router.patch("webhooks/:id") { request, context in
            let me = try await authorize(context)
            let current = try await endpoint(request, context, me)
            let body = try await BodyReader.read(request, limit: api.configuration.bodyLimit).only(["url", "event_types", "description", "enabled"])
            var change = WebhookUpdated(webhookID: current.id)
            if let url = try body.string("url") { change.url = try await checkedURL(url) }
            if let types = try body.strings("event_types") { change.eventTypes = try Self.patterns(types) }
            if body.has("description") { change.description = try Self.description(try body.string("description")) ?? "" }
            if body.has("enabled") {
                guard case .bool(let enabled)? = body.object["enabled"] else {
                    throw APIError.badRequest("enabled must be true or false", code: "invalid_type", field: "enabled")
                }
                change.enabled = enabled
            }
            if change != WebhookUpdated(webhookID: current.id) { try await append(change, me, context) }
            return Response.json(Present.webhook(try await endpoint(request, context, me)))
        }
        router.delete("webhooks/:id") { request, context in
            let me = try await authorize(context)
            let current = try await endpoint(request, context, me)
            try await append(WebhookDeleted(webhookID: current.id), me, context)
            return Response(status: .noContent)
        }
    }

    /// Asks the policy for `account.manage` on the caller's account.
    func authorize(_ context: ApexRequestContext) async throws -> Identity {
        let me = try context.requireIdentity()
        try await api.gate.authorize(me, .accountManage, .account(accountID: me.principal.accountID), resourceName: "webhooks", context: context)
        return me
    }

    /// The endpoint the path names, in the caller's account and not deleted; else 404.
    func endpoint(_ request: Request, _ context: ApexRequestContext, _ me: Identity) async throws -> WebhookEndpoint {
        let id = try request.uuidParameter("id", context)
        guard let endpoint = try await api.directory.state(of: me.principal.accountID).webhooks[id], !endpoint.deleted else { throw APIError.notFound }
        return endpoint
    }

    /// The feature's tables, or 503 on a store without them.
    func available() throws -> WebhookStore {
        guard api.webhooks.isAvailable else {
            throw APIError(.serviceUnavailable, code: "webhooks_unavailable", "webhooks need a SQLite or PostgreSQL store")
        }
        return api.webhooks
    }

    /// Appends a `webhook.*` event to the caller's account stream.
    func append(_ event: some DomainEvent, _ me: Identity, _ context: ApexRequestContext) async throws {
        _ = try await api.append([try event.draft()], to: .account(me.principal.accountID), expected: .any,
                                 account: me.principal.accountID, actor: .user(me.principal.userID), context: context)
    }

    /// A URL the SSRF guard lets through; 422 `invalid_url` or `url_refused` otherwise.
    func checkedURL(_ url: String) async throws -> String {
        do { return try await api.configuration.webhooks.urlGuard.check(url).url } catch {
            throw APIError(.unprocessableContent, code: error.code.description, error.message, field: "url")
        }
    }

    /// Valid event type patterns (1 to 50 of them), or 422 `invalid_event_types`.
    static func patterns(_ types: [String]) throws -> [String] {
        guard (1...50).contains(types.count), types.allSatisfy(WebhookEndpoint.isValidPattern) else {
            throw APIError(
                .unprocessableContent, code: "invalid_event_types",
                "event_types must list 1 to 50 event types or patterns such as \"calculation.approved\", \"project.*\" or \"*\"", field: "event_types")
        }
        return Array(Set(types)).sorted()
    }

    /// A description of at most 500 characters without control characters.
    static func description(_ text: String?) throws -> String? {
        guard let text else { return nil }
        guard text.count <= 500, !text.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7f }) else {
            throw APIError(.unprocessableContent, code: "invalid_description", "description must be at most 500 characters, without control characters", field: "description")
        }
        return text
    }
}

extension Present {
    /// An endpoint as the API shows it (never its secret).
    static func webhook(_ e: WebhookEndpoint) -> JSONValue {
        [
            "id": .string(e.id.lowercased), "url": .string(e.url), "event_types": .array(e.eventTypes.map(JSONValue.string)),
            "description": text(e.description), "enabled": .bool(e.enabled), "disabled_cause": text(e.disabledCause),
            "previous_secret_expires_at": date(e.previousSecretExpiresAt),
        ]
    }
}
