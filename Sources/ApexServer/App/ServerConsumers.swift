import ApexAnalytics
import ApexBackup
import ApexFiles
public import ApexMail
import ApexSearch
import ApexWeb
public import ApexStore
import ApexWebhooks
public import Logging
public import ServiceLifecycle

/// The consumers of the log the server runs beside the API (``ConsumerService``), one place
/// for every feature that reacts to events (webhooks, email, search, analytics, live streams).
///
/// A feature adds its consumer to ``consumers(store:configuration:logger:)`` and its name to
/// ``names``; `apex-cli consumers` lists them with their positions and lag, and
/// `apex-cli projections rebuild NAME` resets one to replay the log.
public enum ServerConsumers {
    /// The names of the consumers ``consumers(store:configuration:logger:)`` builds, known
    /// without building them (the CLI reads them).
    public static let names: [String] = [FileScanner.consumerName, FileThumbnails.consumerName, SearchConsumer.consumerName, WebhookConsumer.name, MailConsumer.name, UsageConsumer.consumerName, AnomalyConsumer.consumerName, SignInAddressConsumer.consumerName]

    /// The consumers to run on `store` with `configuration`.
    public static func consumers(store: any EventStore, configuration: ServerConfiguration, logger: Logger) -> [any LogConsumer] {
        let blobs = configuration.blobURL.flatMap { try? BlobStores.open($0) }
        // An invalid APEX_CLAMD stops ApexAPI (and the server) at start; here it just scans nothing.
        let clamd = configuration.clamd.flatMap { try? ClamdAddress($0) }.map { ClamdClient(address: $0) }
        return [
            FileScanner(store: store, blobs: blobs, clamd: clamd, logger: logger), FileThumbnails(store: store, blobs: blobs, logger: logger),
            SearchIndex(store: store, logger: logger).consumer, WebhookConsumer(store: store, webhooks: WebhookStore(store: store, logger: logger)),
            MailConsumer(
                store: store, outbox: MailOutbox(store: store, logger: logger),
                templates: MailTemplates(directory: configuration.mail.templatesDirectory), from: configuration.mail.from,
                linkBase: configuration.publicBaseURL),
            UsageAnalytics(store: store, logger: logger).consumer, AuditAnomalies(store: store, logger: logger).consumer,
            SignInAddresses(store: store, secret: configuration.jwtSecret, logger: logger).consumer,
        ]
    }

    /// The services that work on what the consumers queued (the webhook delivery worker, the mail sender).
    public static func workers(store: any EventStore, configuration: ServerConfiguration, logger: Logger) -> [any Service] {
        [
            DeliveryWorker(
                store: store, webhooks: WebhookStore(store: store, secrets: configuration.webhookSecrets, logger: logger),
                configuration: configuration.webhooks, logger: logger),
            MailSender(outbox: MailOutbox(store: store, logger: logger), configuration: configuration.mail, logger: logger),
            digestService(store: store, configuration: configuration, logger: logger),
        ]
    }

    /// The digests of `store`'s activity as `configuration` mails them (``MailDigests``).
    public static func digests(store: any EventStore, configuration: ServerConfiguration, logger: Logger) -> MailDigests {
        MailDigests(
            store: store, outbox: MailOutbox(store: store, logger: logger), templates: MailTemplates(directory: configuration.mail.templatesDirectory),
            from: configuration.mail.from, logger: logger)
    }

    /// Queues the due digests every minute (and once at start).
    static func digestService(store: any EventStore, configuration: ServerConfiguration, logger: Logger) -> PeriodicService {
        let digests = digests(store: store, configuration: configuration, logger: logger)
        return PeriodicService(name: "mail digests", every: .seconds(60), runsAtStart: true, logger: logger) { try await digests.queueDue() }
    }

    /// The service running them until graceful shutdown.
    static func service(store: any EventStore, configuration: ServerConfiguration, logger: Logger) -> ConsumerService {
        ConsumerService(consumers: consumers(store: store, configuration: configuration, logger: logger), store: store, logger: logger)
    }
}
