import ApexStore
import Foundation
public import Logging
public import ServiceLifecycle

/// Sends due messages of ``MailOutbox`` (a swift-service-lifecycle `Service`, beside the
/// server, until graceful shutdown).
///
/// Every ``MailConfiguration/pollInterval`` it claims due messages (a lease per message, taken
/// with `FOR UPDATE SKIP LOCKED` on PostgreSQL so several instances share the work) and hands
/// each to the transport: `sent` keeps the server's reply; `deferred` (4xx, no answer, no
/// connection) is retried per ``MailConfiguration/retrySchedule`` and failed when it runs out;
/// `failed` (5xx) is final. A sender killed mid-send leaves the claim to lapse: the message is
/// sent again, with the same `Message-ID`.
public struct MailSender: Service {
    let outbox: MailOutbox
    let configuration: MailConfiguration
    let transport: MailTransport
    let logger: Logger
    let owner = UUID().uuidString

    /// A sender of `outbox`'s messages through `configuration`'s transport.
    public init(outbox: MailOutbox, configuration: MailConfiguration, logger: Logger) {
        self.outbox = outbox
        self.configuration = configuration
        self.transport = configuration.transport
        var logger = logger
        logger[metadataKey: "service"] = "mail.sender"
        self.logger = logger
    }

    /// Sends until graceful shutdown or cancellation.
    public func run() async throws {
        guard outbox.isAvailable else {
            try? await gracefulShutdown()
            return
        }
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    try await outbox.prepare()
                    break
                } catch {
                    logger.warning("mail tables unavailable", metadata: ["error": "\(error)"])
                    try? await Task.sleep(for: .seconds(1))
                }
            }
            while !Task.isCancelled {
                do {
                    if try await sendDue() > 0 { continue }
                } catch {
                    logger.warning("sending mail failed", metadata: ["error": "\(error)"])
                }
                try? await Task.sleep(for: configuration.pollInterval)
            }
        }
    }

    /// Sends every message due now, batch by batch (the operator's `apex-cli notify digest`,
    /// which runs without the server); returns how many it claimed.
    @discardableResult
    public func sendAllDue() async throws -> Int {
        guard outbox.isAvailable else { return 0 }
        try await outbox.prepare()
        var total = 0
        while true {
            let claimed = try await sendDue()
            total += claimed
            if claimed == 0 { return total }
        }
    }

    /// Claims and sends one batch of due messages; returns how many it claimed.
    func sendDue() async throws -> Int {
        let now = Date()
        let lease = configuration.timeout * 10 + .seconds(5)
        let claimed = try await outbox.claim(owner: owner, now: now, until: now.addingTimeInterval(Double(lease.components.seconds)), limit: 10)
        await withTaskGroup(of: Void.self) { group in
            for item in claimed {
                group.addTask { await send(item.key, attempts: item.attempts, message: item.message) }
            }
        }
        return claimed.count
    }

    /// One attempt of one message, recorded.
    func send(_ key: String, attempts: Int, message: MailMessage) async {
        let outcome = await transport.deliver(message, date: Date())
        var next: Date?
        if case .deferred = outcome {
            next = configuration.retrySchedule.delay(after: attempts + 1).map { Date().addingTimeInterval(Double($0.components.seconds) + Double($0.components.attoseconds) / 1e18) }
        }
        do {
            try await outbox.record(key, owner: owner, outcome: outcome, next: next, now: Date())
        } catch {
            // The claim lapses and the message is sent again, with the same Message-ID.
            logger.warning("recording a mail attempt failed", metadata: ["mail.key": "\(key)", "error": "\(error)"])
        }
        switch outcome {
        case .sent: logger.debug("mail sent", metadata: ["mail.key": "\(key)"])
        case .deferred(let why): logger.info("mail deferred", metadata: ["mail.key": "\(key)", "mail.reason": "\(why)"])
        case .failed(let why): logger.notice("mail failed", metadata: ["mail.key": "\(key)", "mail.reason": "\(why)"])
        }
    }
}
