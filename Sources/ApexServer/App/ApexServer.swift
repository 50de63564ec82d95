import ApexDomain
import ApexFiles
import ApexMail
import Foundation
public import ApexMetrics
public import ApexStore
import Hummingbird
public import Logging
public import ServiceLifecycle
import UnixSignals

/// Runs the HTTP server on the configured store until SIGTERM or SIGINT; in-flight requests
/// finish, then the counts of coalesced access denials are written before the store closes.
public enum ApexServer {
    /// Opens the store, builds the API and serves it, sealing checkpoints and running the
    /// consumers of the log (``ServerConsumers``) on the side.
    /// A weak secret (``ServerConfiguration/checkSecrets()``) or unusable TLS files
    /// (``TLSFiles``) stop it before it opens the store, with a ``ConfigurationError`` naming the
    /// setting. `onReady` is called with the bound port once the server listens; `services` adds
    /// services that run beside the server on the same store (backups, log shipping).
    /// Requests, appends and the rest are counted into `metrics` (a registry of its own unless
    /// given), served by a separate listener when ``ServerConfiguration/metricsPort`` is set;
    /// `onMetricsReady` is called with that listener's port.
    public static func run(
        configuration: ServerConfiguration, logger: Logger, metrics: ApexMetrics = ApexMetrics(),
        onReady: (@Sendable (Int) async -> Void)? = nil, onMetricsReady: (@Sendable (Int) async -> Void)? = nil,
        services makeServices: (any EventStore) throws -> [any Service] = { _ in [] }
    ) async throws {
        try configuration.checkSecrets()
        let configuration = withDefaultMailFolder(withDefaultBlobURL(configuration))
        logger.notice("mail goes to \(configuration.mail.transport.description)")
        if configuration.blobURL == nil {
            logger.warning("no blob store: file routes answer 503 files_not_configured (set APEX_BLOB_URL=file:PATH)")
        }
        if let clamd = try configuration.clamd.map({ try ClamdAddress($0) }) {
            logger.info("virus scanning is on: new files wait for clamd before they are served", metadata: ["clamd": "\(clamd)"])
        } else {
            logger.warning("virus scanning is off: new files are unscanned and served (set APEX_CLAMD=tcp://host:port or unix:/path)")
        }
        try await EventStores.withStore(url: configuration.storeURL, projections: ServerConfiguration.storeProjections, logger: logger) { store in
            let api = try await ApexAPI(store: store, configuration: configuration, metrics: metrics)
            if let blobs = api.blobs {
                // An upload the last run was writing when it stopped will never finish.
                let removed = try await blobs.removeAbandoned(writtenBefore: configuration.clock().addingTimeInterval(-3600))
                if removed > 0 { logger.notice("removed unfinished uploads", metadata: ["blob.removed": "\(removed)"]) }
            }
            var services = try makeServices(store)
            if let port = configuration.metricsPort {
                services.append(api.metricsApplication(address: .hostname(configuration.metricsHost, port: port), logger: logger) { channel in
                    logger.info("apex metrics are served", metadata: ["http.address": "\(channel.localAddress?.description ?? "")"])
                    await onMetricsReady?(channel.localAddress?.port ?? port)
                })
            }
            if configuration.rateLimits.isOff { logger.notice("rate limits are off (APEX_RATE_LIMITS=off)") }
            services.append(ServerConsumers.service(store: store, configuration: configuration, logger: logger))
            services.append(contentsOf: ServerConsumers.workers(store: store, configuration: configuration, logger: logger))
            if let key = configuration.signingKey {
                services.append(PeriodicService(name: "checkpoint sealing", every: configuration.checkpointInterval, finalRun: true, logger: logger) {
                    try await store.sealCheckpoint(signer: key)
                })
            } else {
                logger.warning("no signing key: checkpoints are not sealed (set APEX_SIGNING_KEY)")
            }
            if let interval = configuration.retentionInterval {
                services.append(MetadataRetention(store: store, logger: logger).service(every: interval))
            }
            if configuration.denialWindow > .zero {
                // Folded repeats are written as their windows close; whatever is still open when the
                // server stops is written below, after the last request, so no count is lost.
                services.append(PeriodicService(name: "access denial counts", every: configuration.denialWindow, logger: logger) {
                    try await api.flushExpiredDenials()
                })
            }
            let app = api.application(
                address: .hostname(configuration.host, port: configuration.port), services: services, logger: logger,
                onReady: { channel in
                    logger.info("apex is serving", metadata: ["http.address": "\(channel.localAddress?.description ?? "")", "store.url": "\(try! StoreURL(configuration.storeURL))"])
                    await onReady?(channel.localAddress?.port ?? configuration.port)
                })
            do {
                try await app.runService(gracefulShutdownSignals: [.sigterm, .sigint])
            } catch {
                await api.flushDenials()
                throw error
            }
            await api.flushDenials()
        }
    }

    /// `configuration` with, on SQLite without `APEX_SMTP_URL`, `.eml` files in `mail/` beside the database.
    public static func withDefaultMailFolder(_ configuration: ServerConfiguration) -> ServerConfiguration {
        var configuration = configuration
        if configuration.mail.smtp == nil, configuration.mail.folder == nil, case .sqlite(let path)? = try? StoreURL(configuration.storeURL) {
            configuration.mail.folder = URL(fileURLWithPath: path).deletingLastPathComponent().appendingPathComponent("mail")
        }
        return configuration
    }

    /// `configuration` with, on SQLite without `APEX_BLOB_URL`, the blob folder beside the database.
    static func withDefaultBlobURL(_ configuration: ServerConfiguration) -> ServerConfiguration {
        var configuration = configuration
        configuration.blobURL = BlobURL.resolved(configuration.blobURL, storeURL: configuration.storeURL)
        return configuration
    }
}
