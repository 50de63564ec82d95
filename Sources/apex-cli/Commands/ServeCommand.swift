import ApexBackup
import ApexCommandLine
import ApexFiles
import ApexLive
import ApexMail
import ApexMetrics
import ApexServer
import ApexStore
import ApexWebhooks
import ArgumentParser
import Foundation
import ServiceLifecycle

/// `apex-cli serve`: the HTTP API on the embedded SQLite store (default) or PostgreSQL.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "serve", abstract: "Run the Apex HTTP server.")

    @Option(help: "Store URL: sqlite:PATH or postgres://user:pass@host:port/db (env APEX_STORE_URL).")
    var store: String?
    @Option(help: "Address to bind (env APEX_HOST, default 127.0.0.1).")
    var host: String?
    @Option(help: "Port (env APEX_PORT, default 8080; 0 picks a free one).")
    var port: Int?
    @Option(help: "The address people reach this server at, for links in email and the web pages, e.g. https://apex.example.com (env APEX_PUBLIC_URL; default http://HOST:PORT).")
    var publicUrl: String?
    @Option(help: "Serve HTTPS (HTTP/2 and HTTP/1.1) with this PEM certificate chain; needs --tls-key-file (env APEX_TLS_CERT_FILE; default plain HTTP).")
    var tlsCertFile: String?
    @Option(help: "The PEM private key of --tls-cert-file (env APEX_TLS_KEY_FILE).")
    var tlsKeyFile: String?
    @Option(help: "Comma-separated CIDRs of trusted proxies (env APEX_TRUSTED_PROXIES; default none).")
    var trustedProxies: String?
    @Option(help: "Seconds between signed checkpoints (default 300).")
    var checkpointEvery: Int = 300
    @Option(help: "Take a base backup to this folder or s3:// URL every --backup-every (repeat for several: one backup, written to each).")
    var backupTo: [String] = []
    @Option(help: "How often to take a base backup: 30m, 6h, 1d (default 6h).")
    var backupEvery: String = "6h"
    @Option(help: "Ship log segments to this folder or s3:// URL every --ship-every (RPO; repeat for several, each from its own last segment).")
    var shipTo: [String] = []
    @Option(help: "How often to ship log segments: 60s, 5m (default 60s).")
    var shipEvery: String = "60s"
    @Option(help: "Close a connection idle this long: 60s, 500ms, off (env APEX_IDLE_TIMEOUT, default 60s).")
    var idleTimeout: String?
    @Option(help: "Close a connection whose request head takes longer: 10s, off (env APEX_HEADER_READ_TIMEOUT, default 10s).")
    var headerReadTimeout: String?
    @Option(help: "Close a connection whose request body takes longer, plus a second per 16 KiB received: 30s, off (env APEX_BODY_READ_TIMEOUT, default 30s).")
    var bodyReadTimeout: String?
    @Option(help: "Serve at most this many connections at once; more wait (env APEX_MAX_CONNECTIONS, default 1024; 0: no cap).")
    var maxConnections: Int?
    @Option(help: "Fold identical access denials within this window into one event and a count: 10s, off (env APEX_DENIAL_WINDOW, default 10s).")
    var denialWindow: String?
    @Option(help: "Memory for cached project states, in MiB; least recently used dropped first (env APEX_STATE_CACHE_MB, default 64; 0: none).")
    var stateCacheMb: Int?
    @Option(help: "Write a project's snapshot when a load finds it this many events past its last one (env APEX_SNAPSHOT_INTERVAL, default 500; 0: none).")
    var snapshotInterval: Int?
    @Option(help: "Refuse any bearer token issued longer ago than this, whatever its expiry: 12h, 7d (env APEX_MAX_TOKEN_LIFETIME, default 30d).")
    var maxTokenLifetime: String?

    @Option(help: "Send every live stream a heartbeat comment this often: 15s, 500ms (env APEX_LIVE_HEARTBEAT, default 15s).")
    var liveHeartbeat: String?
    @Option(help: "End a live stream after this long; the client resumes with Last-Event-ID: 1h, off (env APEX_LIVE_MAX_STREAM, default off).")
    var liveMaxStream: String?

    @Option(help: "Serve Prometheus metrics (GET /metrics) on a separate listener at this port; 0 picks one (env APEX_METRICS_PORT; default off).")
    var metricsPort: Int?
    @Option(help: "Address the metrics listener binds (env APEX_METRICS_HOST, default 127.0.0.1).")
    var metricsHost: String?
    @Option(help: "Rate limits: off, or NAME=QUOTA/WINDOW overrides, e.g. address=1200/60s,user=600/1m,public=30/60s,unauthorized=30/5m (env APEX_RATE_LIMITS; default on).")
    var rateLimits: String?

    @Option(help: "Where file blobs live: file:PATH or s3://bucket/prefix (env APEX_BLOB_URL; default blobs/ beside the SQLite store, none on PostgreSQL).")
    var blobUrl: String?
    @Option(help: "The largest file upload in bytes; larger is 413 (env APEX_MAX_UPLOAD_BYTES, default 104857600).")
    var maxUploadBytes: Int64?
    @Option(help: "ClamAV's daemon, to scan every upload before it is served: tcp://host:port or unix:/path (env APEX_CLAMD; none: scanning is off).")
    var clamd: String?

    func run() async throws {
        let settings = Settings()
        let logger = makeLogger()
        var configuration = ServerConfiguration()
        configuration.storeURL = try settings.storeURL(store)
        configuration.host = try host ?? settings.value("APEX_HOST") ?? "127.0.0.1"
        let portText = try port.map(String.init) ?? settings.value("APEX_PORT") ?? "8080"
        guard let port = Int(portText), (0...65535).contains(port) else { throw CLIError("the port must be a number from 0 to 65535 (got \(portText))") }
        configuration.port = port
        if let text = try publicUrl ?? settings.value("APEX_PUBLIC_URL") {
            guard let url = URL(string: text), ["http", "https"].contains(url.scheme ?? ""), url.host != nil else {
                throw CLIError("APEX_PUBLIC_URL must be an http:// or https:// address (got \(text))")
            }
            configuration.publicURL = text
        }
        switch (try tlsCertFile ?? settings.value("APEX_TLS_CERT_FILE"), try tlsKeyFile ?? settings.value("APEX_TLS_KEY_FILE")) {
        case (nil, nil): break
        case (let certificate?, let key?): configuration.tls = TLSFiles(certificateFile: certificate, keyFile: key)
        default: throw CLIError("set both APEX_TLS_CERT_FILE and APEX_TLS_KEY_FILE (--tls-cert-file and --tls-key-file), or neither")
        }
        do {
            configuration.trustedProxies = try TrustedProxies(parsing: try trustedProxies ?? settings.value("APEX_TRUSTED_PROXIES") ?? "")
        } catch let error as ConfigurationError {
            throw CLIError("APEX_TRUSTED_PROXIES: \(error.description)")
        }
        configuration.idleTimeout = try Self.timeout(idleTimeout, env: "APEX_IDLE_TIMEOUT", settings, default: configuration.idleTimeout)
        configuration.headerReadTimeout = try Self.timeout(headerReadTimeout, env: "APEX_HEADER_READ_TIMEOUT", settings, default: configuration.headerReadTimeout)
        configuration.bodyReadTimeout = try Self.timeout(bodyReadTimeout, env: "APEX_BODY_READ_TIMEOUT", settings, default: configuration.bodyReadTimeout)
        configuration.denialWindow = try Self.timeout(denialWindow, env: "APEX_DENIAL_WINDOW", settings, default: configuration.denialWindow) ?? .zero
        guard let heartbeat = try Self.timeout(liveHeartbeat, env: "APEX_LIVE_HEARTBEAT", settings, default: configuration.live.heartbeat) else {
            throw CLIError("APEX_LIVE_HEARTBEAT takes a duration such as 15s or 500ms (off is not allowed: proxies close silent streams)")
        }
        configuration.live.heartbeat = heartbeat
        configuration.live.maxStreamDuration = try Self.timeout(liveMaxStream, env: "APEX_LIVE_MAX_STREAM", settings, default: configuration.live.maxStreamDuration)
        if let cap = try maxConnections.map(String.init) ?? settings.value("APEX_MAX_CONNECTIONS") {
            guard let n = Int(cap), n >= 0 else { throw CLIError("APEX_MAX_CONNECTIONS must be a number, 0 for no cap (got \(cap))") }
            configuration.maxConnections = n == 0 ? nil : n
        }
        if let text = try stateCacheMb.map(String.init) ?? settings.value("APEX_STATE_CACHE_MB") {
            guard let n = Int(text), (0...1_048_576).contains(n) else { throw CLIError("APEX_STATE_CACHE_MB must be a number of MiB from 0 to 1048576 (got \(text))") }
            configuration.stateCacheMegabytes = n
        }
        if let text = try snapshotInterval.map(String.init) ?? settings.value("APEX_SNAPSHOT_INTERVAL") {
            guard let n = Int(text), n >= 0 else { throw CLIError("APEX_SNAPSHOT_INTERVAL must be a number of events, 0 for no snapshots (got \(text))") }
            configuration.snapshotInterval = n
        }
        if let text = try maxTokenLifetime ?? settings.value("APEX_MAX_TOKEN_LIFETIME") {
            guard let seconds = TokenCommand.Issue.seconds(text) else {
                throw CLIError("APEX_MAX_TOKEN_LIFETIME takes a duration such as 12h or 7d (got \(text))")
            }
            configuration.maxTokenLifetime = .seconds(seconds)
        }
        if let text = try metricsPort.map(String.init) ?? settings.value("APEX_METRICS_PORT") {
            guard let n = Int(text), (0...65535).contains(n) else { throw CLIError("APEX_METRICS_PORT must be a port from 0 to 65535 (got \(text))") }
            configuration.metricsPort = n
        }
        configuration.metricsHost = try metricsHost ?? settings.value("APEX_METRICS_HOST") ?? configuration.metricsHost
        do {
            configuration.rateLimits = try RateLimits(parsing: try rateLimits ?? settings.value("APEX_RATE_LIMITS") ?? "default")
        } catch let error as ConfigurationError {
            throw CLIError(error.description)
        }
        configuration.blobURL = try blobUrl ?? settings.value("APEX_BLOB_URL")
        do { configuration.webhooks = try WebhookConfiguration(environment: ProcessInfo.processInfo.environment) } catch {
            throw CLIError(.invalidArgument, error.message)
        }
        do { configuration.mail = try MailConfiguration(environment: ProcessInfo.processInfo.environment) } catch {
            throw CLIError(.invalidArgument, error.message)
        }
        if let text = try maxUploadBytes.map(String.init) ?? settings.value("APEX_MAX_UPLOAD_BYTES") {
            guard let n = Int64(text), n > 0 else { throw CLIError("APEX_MAX_UPLOAD_BYTES must be a positive number of bytes (got \(text))") }
            configuration.maxUploadBytes = n
        }
        configuration.clamd = try clamd ?? settings.value("APEX_CLAMD")
        configuration.fileLinkKey = try settings.fileLinkKey(storeURL: configuration.storeURL, logger: logger)
        configuration.jwtSecret = try settings.jwtSecret(storeURL: configuration.storeURL, logger: logger)
        configuration.signingKey = try settings.signingKey(storeURL: configuration.storeURL, logger: logger)
        configuration.checkpointInterval = .seconds(max(1, checkpointEvery))
        guard let backupInterval = TokenCommand.Issue.seconds(backupEvery), let shipInterval = TokenCommand.Issue.seconds(shipEvery) else {
            throw CLIError("--backup-every and --ship-every take a duration such as 60s, 30m, 6h or 1d")
        }
        for (flag, destinations) in [("--backup-to", backupTo), ("--ship-to", shipTo)] where Set(destinations).count != destinations.count {
            throw CLIError("each \(flag) destination once")
        }
        let backupTargets = try backupTo.map(BackupCLI.target)
        let shipTargets = try shipTo.map(BackupCLI.target)
        let storeURL = configuration.storeURL
        let backupBlobs = try BlobURL.resolved(configuration.blobURL, storeURL: configuration.storeURL).map { BackupBlobs(try BlobStores.open($0)) }
        // This program owns its process: swift-metrics used by libraries lands in the same registry.
        let metrics = ApexMetrics()
        metrics.bootstrapSwiftMetrics()
        do {
            try await ApexServer.run(configuration: configuration, logger: logger, metrics: metrics, services: { store in
                var services: [any Service] = []
                if !backupTargets.isEmpty {
                    var backup = BaseBackup(storeURL: storeURL, targets: backupTargets, logger: logger)
                    backup.blobs = backupBlobs
                    services.append(backup.service(every: .seconds(backupInterval)))
                }
                for target in shipTargets {
                    services.append(LogShipper(store: store, target: target, logger: logger, blobs: backupBlobs).service(every: .seconds(shipInterval)))
                }
                return services
            })
        } catch let error as EventStoreError {
            throw CLIError(error.description)
        } catch let error as ConfigurationError {
            throw CLIError(error.description)
        } catch let error as FilesError {
            throw CLIError(error.description)
        }
    }

    /// A duration setting from its flag or environment variable: `500ms`, `60s`, `5m`, `1h`, or
    /// `off` (also `0`) for none; `fallback` when neither is given.
    static func timeout(_ flag: String?, env: String, _ settings: Settings, default fallback: Duration?) throws -> Duration? {
        guard let text = try flag ?? settings.value(env) else { return fallback }
        if text == "off" || text == "0" { return nil }
        if text.hasSuffix("ms"), let ms = Int(text.dropLast(2)), ms > 0 { return .milliseconds(ms) }
        guard let seconds = TokenCommand.Issue.seconds(text) else {
            throw CLIError("\(env) takes a duration such as 500ms, 60s or 5m, or off (got \(text))")
        }
        return .seconds(seconds)
    }
}
