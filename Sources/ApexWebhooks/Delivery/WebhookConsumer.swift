public import ApexDomain
public import ApexStore
public import Foundation
import Logging

/// The consumer of the log (`webhooks`) that turns each event into one message per endpoint
/// whose patterns match it, in ``WebhookStore``'s outbox; ``DeliveryWorker`` posts them.
///
/// It also keeps the endpoints' table in step with their `webhook.*` events, in log order, so
/// an endpoint receives exactly the events after its creation. A repeated page inserts
/// nothing new (the message key is event id + endpoint id), so a rebuild from position 0 sends
/// nothing twice: ``prepareForReplay()`` keeps the outbox.
public struct WebhookConsumer: LogConsumer {
    /// `webhooks`.
    public static let name = "webhooks"
    /// `webhooks`.
    public var name: String { Self.name }
    let store: any EventStore
    let webhooks: WebhookStore
    let clock: @Sendable () -> Date
    let onEnqueue: @Sendable () -> Void

    /// A consumer of `store`; `onEnqueue` wakes the delivery worker.
    public init(store: any EventStore, webhooks: WebhookStore, clock: @escaping @Sendable () -> Date = { Date() }, onEnqueue: @escaping @Sendable () -> Void = {}) {
        self.store = store
        self.webhooks = webhooks
        self.clock = clock
        self.onEnqueue = onEnqueue
    }

    /// Creates the tables if missing.
    public func prepareForReplay() async throws { try await webhooks.prepare() }

    /// Registers endpoint changes and queues a message per matching endpoint.
    public func handle(_ events: [EventEnvelope]) async throws {
        guard webhooks.isAvailable else { return }
        try await webhooks.prepare()
        var endpoints: [UUID: [(id: UUID, patterns: [String])]] = [:]
        var pending: [(event: EventEnvelope, endpoint: UUID)] = []
        var queued: [WebhookMessage] = []
        func flush() async throws {
            guard !pending.isEmpty else { return }
            let entries = try await WebhookPayload.entries(of: pending.map(\.event), store: store)
            for (event, endpoint) in pending {
                guard let entry = entries[event.id] else { continue }
                queued.append(WebhookMessage(
                    id: WebhookMessage.id(event: event.id, endpoint: endpoint), endpointID: endpoint, accountID: event.accountID,
                    position: event.position, eventType: event.type, body: WebhookPayload.body(entry)))
            }
            pending = []
        }
        for event in events {
            if event.type.hasPrefix("webhook."), event.stream == .account(event.accountID) {
                // The endpoint's own change applies before the events after it are matched.
                try await flush()
                try await webhooks.register(event)
                endpoints[event.accountID] = nil
            }
            if endpoints[event.accountID] == nil { endpoints[event.accountID] = try await webhooks.activeEndpoints(account: event.accountID) }
            for endpoint in endpoints[event.accountID] ?? [] where WebhookEndpoint.matches(event.type, patterns: endpoint.patterns) {
                pending.append((event, endpoint.id))
            }
        }
        try await flush()
        if !queued.isEmpty {
            try await webhooks.enqueue(queued, now: clock())
            onEnqueue()
        }
    }
}

extension WebhookStore {
    /// Applies a `webhook.*` event to the endpoints' table.
    func register(_ event: EventEnvelope) async throws {
        switch event.type {
        case WebhookCreated.type:
            let e = try event.payload(as: WebhookCreated.self)
            try await apply(WebhookEndpoint(id: e.webhookID, url: e.url, eventTypes: e.eventTypes, description: e.description), account: event.accountID)
        case WebhookUpdated.type:
            let e = try event.payload(as: WebhookUpdated.self)
            let id = SQLValue.text(e.webhookID.lowercased)
            if let url = e.url { try await sql.run("UPDATE webhook_endpoints SET url = ? WHERE endpoint_id = ?", [.text(url), id]) }
            if let types = e.eventTypes {
                let json = String(decoding: CanonicalJSON.bytes(.array(types.map(JSONValue.string))), as: UTF8.self)
                try await sql.run("UPDATE webhook_endpoints SET event_types = ? WHERE endpoint_id = ?", [.text(json), id])
            }
            if let enabled = e.enabled {
                try await sql.run(
                    enabled
                        ? "UPDATE webhook_endpoints SET enabled = 1, consecutive_failures = 0, failing_since = NULL, paused_until = NULL WHERE endpoint_id = ?"
                        : "UPDATE webhook_endpoints SET enabled = 0 WHERE endpoint_id = ?", [id])
            }
        case WebhookDeleted.type:
            try await sql.run("UPDATE webhook_endpoints SET deleted = 1, enabled = 0 WHERE endpoint_id = ?", [.text(try event.payload(as: WebhookDeleted.self).webhookID.lowercased)])
        case WebhookDisabled.type:
            try await disable(try event.payload(as: WebhookDisabled.self).webhookID)
        default:
            break
        }
    }
}
