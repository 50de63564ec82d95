import ApexCommandLine
import ApexDomain
import ApexStore
import ApexWebhooks
import ArgumentParser
import Foundation
import Logging

/// `apex-cli webhooks deliveries --account ID [--json]`: an account's webhook delivery log for
/// operators, newest first: each message with its status and attempts.
struct WebhooksCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "webhooks", abstract: "Inspect webhook deliveries.", subcommands: [Deliveries.self])

    /// `apex-cli webhooks deliveries`.
    struct Deliveries: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "deliveries", abstract: "List an account's webhook messages and their attempts, newest first.")

        @Option(help: "The account's id.") var account: String
        @Option(help: "Only messages with this status: pending, succeeded or failed.") var status: String?
        @Option(help: "The most messages listed.") var limit = 100
        @OptionGroup var store: StoreOption
        @Flag(help: "Print as JSON.") var json = false

        func run() async throws {
            guard let accountID = UUID(uuidString: account) else {
                throw CLIError(.invalidArgument, "--account must be an account id (a UUID)")
            }
            if let status, !["pending", "succeeded", "failed"].contains(status) {
                throw CLIError(.invalidArgument, "--status must be pending, succeeded or failed")
            }
            let url = try Settings().storeURL(store.url)
            let logger = makeLogger(level: .warning)
            let page = try await EventStores.withExistingStore(url: url, logger: logger) { store in
                let webhooks = WebhookStore(store: store, logger: logger)
                guard webhooks.isAvailable else { throw CLIError(.invalidArgument, "webhooks need a SQLite or PostgreSQL store") }
                try await webhooks.prepare()
                return try await webhooks.deliveries(account: accountID, endpoint: nil, status: status, cursor: nil, limit: max(1, limit))
            }
            if json {
                Output.json(["items": .array(page.items.map { $0.message.json(attempts: $0.attempts) })])
                return
            }
            guard !page.items.isEmpty else {
                print("no webhook messages for account \(accountID.lowercased)")
                return
            }
            print("MESSAGE\tWEBHOOK\tEVENT TYPE\tSTATUS\tATTEMPTS\tLAST STATUS\tNEXT ATTEMPT")
            for (message, attempts) in page.items {
                let last = attempts.last.map { $0.statusCode.map(String.init) ?? ($0.error ?? "-") } ?? "-"
                let next = message.nextAttemptAt.map(Timestamp.format) ?? "-"
                print("\(message.id)\t\(message.endpointID.lowercased)\t\(message.eventType)\t\(message.status)\t\(message.attempts)\t\(last)\t\(next)")
            }
        }
    }
}
