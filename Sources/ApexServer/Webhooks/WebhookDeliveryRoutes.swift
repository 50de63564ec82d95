import ApexDomain
import ApexStore
import ApexWebhooks
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// An endpoint's secret and deliveries (`account.manage`): rotate the secret, send a test
/// message, read the delivery log, redeliver one message, replay a range of the log.
struct WebhookDeliveryRoutes {
    let routes: WebhookRoutes
    var api: ApexAPI { routes.api }

    func register(on router: RouterGroup<ApexRequestContext>) {
        router.post("webhooks/:id/rotate-secret") { request, context in
            let me = try await routes.authorize(context)
            let endpoint = try await routes.endpoint(request, context, me)
            let webhooks = try routes.available()
            let secret = WebhookSecret.generate()
            let until = api.configuration.clock().addingTimeInterval(Double(api.configuration.webhooks.rotationOverlap.components.seconds))
            try await webhooks.rotateSecret(secret, endpoint: endpoint.id, previousUntil: until)
            try await routes.append(WebhookSecretRotated(webhookID: endpoint.id, previousExpiresAt: until), me, context)
            return Response.json(["id": .string(endpoint.id.lowercased), "secret": .string(secret.text), "previous_secret_expires_at": Present.date(until)])
        }
        router.post("webhooks/:id/test") { request, context in
            let me = try await routes.authorize(context)
            let endpoint = try await routes.endpoint(request, context, me)
            let id = try await routes.available().enqueueTest(endpoint: endpoint.id, account: me.principal.accountID, now: Date())
            return Response.json(["message_id": .string(id)], status: .accepted)
        }
        router.get("webhooks/:id/deliveries") { request, context in
            let me = try await routes.authorize(context)
            let endpoint = try await routes.endpoint(request, context, me)
            let status = request.query("status")
            if let status, !["pending", "succeeded", "failed"].contains(status) {
                throw APIError.badRequest("status must be pending, succeeded or failed", code: "invalid_query", field: "status")
            }
            let limit = try ProjectListing.limit(request.query("limit") ?? "50")
            let page = try await routes.available().deliveries(
                account: me.principal.accountID, endpoint: endpoint.id, status: status, cursor: request.query("cursor"), limit: limit)
            return Response.json([
                "items": .array(page.items.map { $0.message.json(attempts: $0.attempts) }), "next_cursor": Present.text(page.next),
            ])
        }
        router.post("webhooks/:id/deliveries/:message_id/redeliver") { request, context in
            let me = try await routes.authorize(context)
            let endpoint = try await routes.endpoint(request, context, me)
            guard let did = context.parameters.get("message_id"),
                  try await routes.available().redeliver(did, endpoint: endpoint.id, now: Date())
            else { throw APIError.notFound }
            return Response.json(["message_id": .string(did)], status: .accepted)
        }
        router.post("webhooks/:id/replay") { request, context in
            let me = try await routes.authorize(context)
            let endpoint = try await routes.endpoint(request, context, me)
            let body = try await BodyReader.read(request, limit: api.configuration.bodyLimit).only(["from_position", "to_position"])
            let from = try body.requiredInt("from_position")
            let to = try body.int("to_position")
            guard from >= 1, to.map({ $0 >= from }) ?? true else {
                throw APIError(.unprocessableContent, code: "invalid_range", "from_position must be 1 or more, and to_position at least from_position", field: "from_position")
            }
            let queued = try await routes.available().replay(
                endpoint: endpoint, account: me.principal.accountID, from: Int64(from), to: to.map(Int64.init), store: api.store, now: Date())
            return Response.json(["queued": .number(Double(queued))], status: .accepted)
        }
    }
}
