import ApexDomain
import ApexServer
import ApexStore
import ApexTestSupport
import ApexWebhooks
import Foundation
import Logging
import ServiceLifecycle
import Testing

/// Two instances on one PostgreSQL database (two stores, two delivery workers, as two servers
/// would run them): every message is delivered, and none is attempted by both at once (the
/// receiver sees each `webhook-id` once, and never two requests of one message in flight).
@Suite("Webhook deliveries from two instances")
struct WebhookInstancesTests {
    @Test func twoWorkersOnOnePostgreSQLDeliverEveryMessageOnce() async throws {
        try await WebhookReceiver.with { receiver in
            try await TestPostgres.withDatabase { database in
                try await EventStores.withStore(url: database.url, logger: World.logger) { a in
                    try await EventStores.withStore(url: database.url, logger: World.logger) { b in
                        try await Self.run(receiver, a, b)
                    }
                }
            }
        }
    }

    static func run(_ receiver: WebhookReceiver, _ a: any EventStore, _ b: any EventStore) async throws {
        var configuration = WebhookConfiguration()
        configuration.urlGuard = URLGuard(allowHTTP: true, allowPrivate: true)
        configuration.pollInterval = .milliseconds(20)
        configuration.retrySchedule = RetrySchedule(delays: [.milliseconds(100)], jitter: 0)
        let account = UUID(), endpoints = (0..<3).map { _ in UUID() }
        let box = WebhookSecretBox(deriving: "instances-test-secret-material-0123456789")
        let hooks = WebhookStore(store: a, secrets: box, logger: World.logger)
        try await hooks.prepare()
        var secrets: [String] = []
        for endpoint in endpoints {
            let secret = WebhookSecret.generate()
            secrets.append(secret.text)
            try await hooks.putSecret(secret, endpoint: endpoint, account: account)
        }
        try receiver.setSecrets(secrets, for: "/busy")
        let created = try endpoints.map { try WebhookCreated(webhookID: $0, url: receiver.url("/busy"), eventTypes: ["test.*"], description: nil).draft() }
        _ = try await a.append(created.map { $0.proposed(id: UUID(), accountID: account, actor: .service("tests")) }, to: .account(account), expected: .noStream)
        let messages = 20
        for i in 0..<messages {
            let event = ProposedEvent(id: UUID(), type: "test.note", data: ["n": .number(Double(i))], accountID: account, actor: .service("tests"))
            _ = try await (i.isMultiple(of: 2) ? a : b).append([event], to: StreamID(rawValue: "note-\(i)"), expected: .noStream)
        }
        var options = ConsumerRunner.Options()
        options.idleWait = .milliseconds(200)
        // Both instances run the consumer (one holds its claim) and a worker.
        let services: [any Service] = [
            ConsumerService(consumers: [WebhookConsumer(store: a, webhooks: hooks)], store: a, options: options, logger: World.logger),
            ConsumerService(consumers: [WebhookConsumer(store: b, webhooks: WebhookStore(store: b, logger: World.logger))], store: b, options: options, logger: World.logger),
            DeliveryWorker(store: a, webhooks: hooks, configuration: configuration, logger: World.logger),
            DeliveryWorker(store: b, webhooks: WebhookStore(store: b, secrets: box, logger: World.logger), configuration: configuration, logger: World.logger),
        ]
        let group = ServiceGroup(configuration: .init(services: services.map { .init(service: $0) }, logger: World.logger))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            let got = try await receiver.waitFor(messages * endpoints.count, at: "/busy", timeout: .seconds(120))
            try await Task.sleep(for: .milliseconds(500))
            await group.triggerGracefulShutdown()
            try await tasks.next()
            let all = receiver.requests("/busy")
            #expect(got.count >= messages * endpoints.count)
            #expect(all.count == messages * endpoints.count, "every message exactly once: \(all.count)")
            #expect(Set(all.map(\.id)).count == messages * endpoints.count)
            #expect(all.filter(\.overlap).isEmpty)
            #expect(all.allSatisfy { $0.verified.filter { $0 }.count == 1 })
            // First attempts reach each endpoint in log order.
            for endpoint in endpoints {
                let positions = all.filter { $0.id.hasSuffix(endpoint.lowercased) }.compactMap { $0.json["data"]?["position"]?.numberValue }
                #expect(positions == positions.sorted() && positions.count == messages)
            }
        }
    }
}
