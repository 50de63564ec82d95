public import ApexDomain
public import ApexStore
public import Foundation

extension WebhookStore {
    /// The most events one replay re-sends.
    public static let replayLimit = 10_000

    /// Queues a `webhook.test` message to `endpoint`, due now; returns its `webhook-id`.
    public func enqueueTest(endpoint: UUID, account: UUID, now: Date) async throws -> String {
        let message = WebhookMessage(
            id: "test-\(UUID().lowercased)_\(endpoint.lowercased)", endpointID: endpoint, accountID: account, position: 0,
            eventType: "webhook.test", body: WebhookPayload.test(endpoint: endpoint, at: now))
        try await enqueue([message], now: now)
        return message.id
    }

    /// Queues again every event of `account` in positions `from...to` that `endpoint` matches,
    /// due now, with their original `webhook-id`s (a receiver that saw one already can tell);
    /// returns how many. At most ``replayLimit`` events.
    public func replay(endpoint: WebhookEndpoint, account: UUID, from: Int64, to: Int64?, store: any EventStore, now: Date) async throws -> Int {
        var after = from - 1
        var queued = 0
        var scanned = 0
        while scanned < Self.replayLimit {
            let page = try await store.readAccount(account, after: after, limit: 500, mode: .stored)
            let inRange = page.filter { event in to.map { event.position <= $0 } ?? true }
            scanned += inRange.count
            let matching = inRange.filter { endpoint.matches($0.type) }
            if !matching.isEmpty {
                let entries = try await WebhookPayload.entries(of: matching, store: store)
                let messages = matching.compactMap { event in
                    entries[event.id].map {
                        WebhookMessage(
                            id: WebhookMessage.id(event: event.id, endpoint: endpoint.id), endpointID: endpoint.id, accountID: account,
                            position: event.position, eventType: event.type, body: WebhookPayload.body($0))
                    }
                }
                try await enqueue(messages, now: now, resend: true)
                queued += messages.count
            }
            guard page.count == 500, inRange.count == page.count, let last = page.last else { break }
            after = last.position
        }
        return queued
    }
}
