import ApexCommandLine
import ApexDomain
import ApexMail
import ApexServer
import ApexStore
import ArgumentParser
import Foundation
import Logging

/// `apex-cli notify digest [--now]`: queues the due email digests and sends what is due, for
/// operators and tests (a running server does the same every minute).
struct NotifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "notify", abstract: "Send email notifications by hand.", subcommands: [Digest.self])

    /// `apex-cli notify digest`.
    struct Digest: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "digest", abstract: "Queue the due email digests and send every due message (APEX_SMTP_URL, APEX_MAIL_FROM as for serve).")

        @Flag(help: "Every user's digest is due now: each period ends now instead of at the last 07:00 in the user's time zone.")
        var now = false
        @OptionGroup var store: StoreOption
        @Flag(help: "Print the result as JSON.") var json = false

        func run() async throws {
            var configuration = ServerConfiguration()
            configuration.storeURL = try Settings().storeURL(store.url)
            do { configuration.mail = try MailConfiguration(environment: ProcessInfo.processInfo.environment) } catch {
                throw CLIError(.invalidArgument, error.message)
            }
            configuration = ApexServer.withDefaultMailFolder(configuration)
            let logger = makeLogger(level: .warning)
            let (queued, sent) = try await EventStores.withExistingStore(url: configuration.storeURL, logger: logger) { store in
                let outbox = MailOutbox(store: store, logger: logger)
                guard outbox.isAvailable else { throw CLIError(.invalidArgument, "email needs a SQLite or PostgreSQL store") }
                let queued = try await ServerConsumers.digests(store: store, configuration: configuration, logger: logger).queueDue(endingNow: now)
                let sent = try await MailSender(outbox: outbox, configuration: configuration.mail, logger: logger).sendAllDue()
                return (queued, sent)
            }
            if json {
                Output.json(["digests_queued": .number(Double(queued)), "messages_attempted": .number(Double(sent))])
            } else {
                print("\(queued) digests queued, \(sent) messages attempted")
            }
        }
    }
}
