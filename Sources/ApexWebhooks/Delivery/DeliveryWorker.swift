import ApexDomain
public import ApexStore
import Foundation
public import Logging
public import ServiceLifecycle
import AsyncHTTPClient
import Synchronization

/// Posts due messages (a swift-service-lifecycle `Service`, beside the server, until graceful
/// shutdown).
///
/// Every ``WebhookConfiguration/pollInterval`` it claims endpoints with due messages
/// (``WebhookStore``: a lease, taken with `FOR UPDATE SKIP LOCKED` on PostgreSQL so several
/// instances share the work and never attempt one message at once) and delivers to each in a
/// task of its own: one attempt at a time per endpoint, in position order, so a slow endpoint
/// holds up only itself. 2xx is success; 410 disables the endpoint; 429 and 503 wait at least
/// their `Retry-After`; anything else (3xx included: redirects are not followed, a timeout, a
/// refused address) is retried per ``RetrySchedule`` until it runs out. Each failure counts
/// against the endpoint's ``CircuitBreaker``.
public struct DeliveryWorker: Service {
    let store: any EventStore
    let webhooks: WebhookStore
    let configuration: WebhookConfiguration
    let logger: Logger
    let owner = UUID().uuidString
    let inFlight = InFlight()

    /// A worker over `store`'s webhook tables.
    public init(store: any EventStore, webhooks: WebhookStore, configuration: WebhookConfiguration, logger: Logger) {
        self.store = store
        self.webhooks = webhooks
        self.configuration = configuration
        var logger = logger
        logger[metadataKey: "service"] = "webhook.delivery"
        self.logger = logger
    }

    /// Delivers until graceful shutdown or cancellation.
    public func run() async throws {
        guard webhooks.isAvailable else {
            try? await gracefulShutdown()
            return
        }
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                while !Task.isCancelled {
                    do {
                        try await webhooks.prepare()
                        break
                    } catch {
                        logger.warning("webhook tables unavailable", metadata: ["error": "\(error)"])
                        try? await Task.sleep(for: .seconds(1))
                    }
                }
                while !Task.isCancelled {
                    let busy = inFlight.value.withLock { $0 }
                    let room = configuration.maxConcurrentEndpoints - busy.count
                    if room > 0 {
                        do {
                            let now = Date()
                            let claimed = try await webhooks.claimEndpoints(owner: owner, now: now, until: leaseEnd(now), limit: room, excluding: busy)
                            for endpoint in claimed {
                                inFlight.value.withLock { _ = $0.insert(endpoint) }
                                group.addTask {
                                    await deliver(to: endpoint)
                                    inFlight.value.withLock { _ = $0.remove(endpoint) }
                                }
                            }
                        } catch {
                            logger.warning("claiming webhook endpoints failed", metadata: ["error": "\(error)"])
                        }
                    }
                    try? await Task.sleep(for: configuration.pollInterval)
                }
            }
        }
    }

    /// When a claim taken at `now` lapses: long enough for a few attempts, renewed after each.
    func leaseEnd(_ now: Date) -> Date { now.addingTimeInterval((configuration.timeout * 2).timeInterval + 5) }

    /// Delivers the due messages of one claimed endpoint, then releases it.
    func deliver(to endpoint: UUID) async {
        do {
            // A full batch delivered: more may be due now, so go on while the claim is held
            // rather than wait for the next poll (which capped one endpoint at 20 a poll, 80/s).
            while try await deliverDue(to: endpoint), !Task.isCancelled {}
        } catch {
            logger.warning("webhook delivery failed", metadata: ["webhook.id": "\(endpoint.lowercased)", "error": "\(error)"])
        }
        do { try await webhooks.releaseClaim(endpoint, owner: owner) } catch {
            // The lease lapses on its own.
            logger.warning("releasing a webhook endpoint's claim failed", metadata: ["webhook.id": "\(endpoint.lowercased)", "error": "\(error)"])
        }
    }

    /// Attempts the endpoint's due messages, a batch of at most ``batchSize`` in order; true
    /// when the whole batch was attempted and the endpoint stayed open (more may be due).
    func deliverDue(to endpoint: UUID) async throws -> Bool {
        guard let row = try await webhooks.endpointRow(endpoint), row["enabled"]?.int == 1, row["deleted"]?.int == 0,
              let url = row["url"]?.text else { return false }
        let due = try await webhooks.dueMessages(endpoint, now: Date(), limit: Self.batchSize)
        guard let first = due.first else { return false }
        let target: URLGuard.Target
        do {
            target = try await configuration.urlGuard.check(url)
        } catch {
            // Refused now (DNS changed since it was checked): a failed attempt, nothing sent.
            let attempt = WebhookAttempt(at: Date(), statusCode: nil, durationMilliseconds: 0, response: nil, error: error.description)
            try await failed(first, attempt: attempt, retryAfter: nil, endpoint: endpoint)
            return false
        }
        let sender = WebhookSender.make(for: target, timeout: configuration.timeout)
        var attempted = 0
        do {
            for message in due {
                let open = try await attempt(message, row: row, url: url, sender: sender)
                guard open, try await webhooks.renewClaim(endpoint, owner: owner, until: leaseEnd(Date())) else { break }
                attempted += 1
            }
        } catch {
            await sender.shutdown()
            throw error
        }
        await sender.shutdown()
        return attempted == Self.batchSize
    }

    /// Messages of one endpoint attempted per query of the due ones.
    static let batchSize = 20

    /// One attempt of `message`; false when deliveries to the endpoint must stop for now.
    func attempt(_ message: WebhookMessage, row: SQLRow, url: String, sender: WebhookSender) async throws -> Bool {
        let start = Date()
        let clock = ContinuousClock.now
        let body = message.body
        let secrets = webhooks.secrets(of: row, now: start)
        guard !secrets.isEmpty else {
            // Never sent unsigned: a secret sealed under another key (the JWT secret changed).
            let attempt = WebhookAttempt(
                at: start, statusCode: nil, durationMilliseconds: 0, response: nil,
                error: "the signing secret cannot be opened (was the JWT secret changed?): rotate the endpoint's secret")
            return try await failed(message, attempt: attempt, retryAfter: nil, endpoint: message.endpointID)
        }
        let headers = SignedHeaders(id: message.id, timestamp: Int64(start.timeIntervalSince1970), body: Data(body.utf8), secrets: secrets)
        func elapsed() -> Int64 {
            let d = ContinuousClock.now - clock
            return d.components.seconds * 1000 + d.components.attoseconds / 1_000_000_000_000_000
        }
        do {
            let answer = try await sender.post(url: url, headers: headers, body: body)
            let attempt = WebhookAttempt(
                at: start, statusCode: answer.status, durationMilliseconds: elapsed(), response: answer.body,
                error: (300..<400).contains(answer.status) ? "redirect (\(answer.status)) not followed" : nil)
            switch answer.status {
            case 200..<300:
                try await webhooks.record(attempt, of: message, succeeded: true, next: nil)
                try await webhooks.breakerSucceeded(message.endpointID)
                return true
            case 410:
                try await webhooks.record(attempt, of: message, succeeded: false, next: nil)
                try await disable(message.endpointID, account: message.accountID, cause: "gone")
                return false
            default:
                let wait = answer.status == 429 || answer.status == 503 ? answer.retryAfter : nil
                return try await failed(message, attempt: attempt, retryAfter: wait, endpoint: message.endpointID)
            }
        } catch {
            let attempt = WebhookAttempt(at: start, statusCode: nil, durationMilliseconds: elapsed(), response: nil, error: Self.describe(error))
            return try await failed(message, attempt: attempt, retryAfter: nil, endpoint: message.endpointID)
        }
    }

    /// Records a failed attempt, schedules the retry, counts it against the breaker; false
    /// when deliveries to the endpoint stop for now.
    @discardableResult
    func failed(_ message: WebhookMessage, attempt: WebhookAttempt, retryAfter: Duration?, endpoint: UUID) async throws -> Bool {
        let now = Date()
        var next = configuration.retrySchedule.delay(after: message.attempts + 1).map { now.addingTimeInterval($0.timeInterval) }
        if let retryAfter, let n = next { next = max(n, now.addingTimeInterval(retryAfter.timeInterval)) }
        try await webhooks.record(attempt, of: message, succeeded: false, next: next)
        let (failures, since) = try await webhooks.breakerFailed(endpoint, now: now, policy: configuration.breaker)
        if now.timeIntervalSince(since) >= configuration.breaker.disableAfter.timeInterval {
            try await disable(endpoint, account: message.accountID, cause: "failing")
            return false
        }
        return configuration.breaker.pause(afterFailures: failures) == nil
    }

    /// Stops deliveries to `endpoint` and records `webhook.disabled` in its account stream.
    func disable(_ endpoint: UUID, account: UUID, cause: String) async throws {
        try await webhooks.disable(endpoint)
        let draft = try WebhookDisabled(webhookID: endpoint, cause: cause).draft()
        _ = try await store.append([draft.proposed(id: UUID(), accountID: account, actor: .service("webhooks"))], to: .account(account), expected: .any)
        logger.notice("webhook endpoint disabled", metadata: ["webhook.id": "\(endpoint.lowercased)", "webhook.cause": "\(cause)"])
    }

    /// An error as the delivery log shows it: never a secret (the request's headers are not in it).
    static func describe(_ error: any Error) -> String {
        if error is WebhookSender.AttemptTimedOut { return "timed out" }
        if let error = error as? HTTPClientError, [.deadlineExceeded, .readTimeout, .connectTimeout].contains(error) { return "timed out" }
        let text = String(describing: error)
        return String(text.prefix(300))
    }
}

/// The endpoints a worker is delivering to now.
final class InFlight: Sendable {
    let value = Mutex<Set<UUID>>([])
}
