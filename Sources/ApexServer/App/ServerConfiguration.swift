import ApexDomain
public import ApexLive
public import ApexStore
public import ApexMail
public import ApexWebhooks
public import Crypto
public import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// How the server runs. Every setting has an environment variable and a CLI flag (see `apex-cli serve --help`).
public struct ServerConfiguration: Sendable {
    /// Address to bind (`APEX_HOST`).
    public var host = "127.0.0.1"
    /// Port (`APEX_PORT`).
    public var port = 8080
    /// The address people reach this server at, for links it puts in email and prints
    /// (`APEX_PUBLIC_URL`, e.g. `https://apex.example.com`); nil: `http://HOST:PORT`.
    public var publicURL: String?
    /// The store (`APEX_STORE_URL`).
    public var storeURL = "sqlite:./apex-data/apex.sqlite"
    /// The HS256 secret for bearer tokens (`APEX_JWT_SECRET` or `APEX_JWT_SECRET_FILE`).
    public var jwtSecret = ""
    /// Serve HTTPS (HTTP/2 and HTTP/1.1 by ALPN, with `Strict-Transport-Security`) with this
    /// certificate and key (`APEX_TLS_CERT_FILE`, `APEX_TLS_KEY_FILE`); nil: plain HTTP, for a
    /// reverse proxy in front (docs/operations.md).
    public var tls: TLSFiles?
    /// Proxies whose forwarding headers are believed (`APEX_TRUSTED_PROXIES`).
    public var trustedProxies = TrustedProxies.none
    /// The Ed25519 key that signs checkpoints (`APEX_SIGNING_KEY`); nil disables sealing.
    public var signingKey: Curve25519.Signing.PrivateKey?
    /// How often a checkpoint is sealed while serving.
    public var checkpointInterval: Duration = .seconds(300)
    /// The largest request body accepted (413 above it).
    public var bodyLimit = 1 << 20
    /// How long an invitation stays valid.
    public var invitationLifetime: Duration = .seconds(7 * 86_400)
    /// How long issued tokens stay valid.
    public var tokenLifetime: Duration = .seconds(12 * 3600)
    /// The longest any token is accepted after it was issued, whatever its expiry says
    /// (`APEX_MAX_TOKEN_LIFETIME`, e.g. `7d`); tokens issued here never outlive it.
    public var maxTokenLifetime: Duration = TokenService.defaultMaximumLifetime
    /// How long a connection may sit with no request before it is closed (`APEX_IDLE_TIMEOUT`);
    /// nil never closes one.
    public var idleTimeout: Duration? = .seconds(60)
    /// How long a client may take from a request's first byte to the end of its head
    /// (`APEX_HEADER_READ_TIMEOUT`); nil: no limit beyond the idle timeout.
    public var headerReadTimeout: Duration? = .seconds(10)
    /// How long a client may take from a request's head to the end of its body
    /// (`APEX_BODY_READ_TIMEOUT`); nil: no limit.
    public var bodyReadTimeout: Duration? = .seconds(30)
    /// The most connections served at once (`APEX_MAX_CONNECTIONS`); more wait in the listen
    /// backlog until one closes. nil: no cap.
    public var maxConnections: Int? = 1024
    /// Identical access denials (same user, action, resource and reason) within this window are
    /// recorded as the first one, written at once, and one more event with the count of the
    /// repeats, written when the window closes or the server stops (`APEX_DENIAL_WINDOW`).
    /// `.zero` records every denial as its own event.
    public var denialWindow: Duration = .seconds(10)
    /// Memory for project states kept between requests, in MiB (`APEX_STATE_CACHE_MB`); the
    /// least recently used are dropped first. 0 keeps none: every request replays the stream.
    public var stateCacheMegabytes = 64
    /// A load that finds a project this many events or more past its last persisted snapshot
    /// writes a new one, which a cold instance starts from (`APEX_SNAPSHOT_INTERVAL`). 0 writes
    /// none (those kept are still read). Snapshots are a cache that `apex-cli verify` checks
    /// against the log; `apex-cli snapshots drop` deletes them.
    public var snapshotInterval = 500
    /// How often request metadata past each account's retention is expired (``MetadataRetention``,
    /// also at start); nil never runs it here (`apex-cli retention run` still does).
    public var retentionInterval: Duration? = .seconds(86_400)
    /// Where file blobs live (`APEX_BLOB_URL`, `file:PATH`). nil: `blobs/` beside the SQLite
    /// database when ``ApexServer`` runs on SQLite; on PostgreSQL files answer 503
    /// `files_not_configured` until it is set.
    public var blobURL: String?
    /// The largest file an upload may carry, in bytes (`APEX_MAX_UPLOAD_BYTES`, default 100 MiB; 413 above it).
    public var maxUploadBytes: Int64 = 100 * 1_048_576
    /// The key that signs direct file links (`APEX_FILE_LINK_KEY`, at least 32 bytes; on SQLite
    /// one is created in the data folder). nil: links answer 503 `file_links_not_configured`.
    public var fileLinkKey: SymmetricKey?
    /// Address the separate Prometheus listener binds (`APEX_METRICS_HOST`).
    public var metricsHost = "127.0.0.1"
    /// Port of the separate listener serving `GET /metrics` (`APEX_METRICS_PORT`; 0 picks a free
    /// one). nil (the default): no listener, and `/metrics` is never on the public API.
    public var metricsPort: Int?
    /// Request rate limits per client address and per user (`APEX_RATE_LIMITS`); on by default,
    /// ``RateLimits/off`` disables them. Counted per instance.
    public var rateLimits = RateLimits()
    /// Where ClamAV's daemon listens (`APEX_CLAMD`: `tcp://host:port` or `unix:/path`). Set, new
    /// revisions are `pending_scan` and served only once the `file-scanner` consumer finds them
    /// clean; nil: no scanning, revisions are `unscanned` and served.
    public var clamd: String?
    /// How webhooks are delivered and which URLs they may reach (`APEX_WEBHOOK_*`).
    public var webhooks = WebhookConfiguration()
    /// Live streams: heartbeat interval, per-client buffer, longest stream (`docs/live.md`).
    public var live = LiveConfiguration()
    /// How email is sent (`APEX_SMTP_URL`, `APEX_MAIL_FROM`, `APEX_MAIL_*`); without SMTP,
    /// messages are `.eml` files in `mail/` beside the SQLite store.
    public var mail = MailConfiguration()
    /// The clock for decisions (PE license expiry, invitation expiry).
    public var clock: @Sendable () -> Date = { Date() }

    /// Defaults: the embedded SQLite store on 127.0.0.1:8080.
    public init() {}

    /// The base of every link the server hands out: ``publicURL`` without a trailing `/`, else
    /// `http://HOST:PORT` of this server.
    public var publicBaseURL: String {
        if let publicURL, !publicURL.isEmpty {
            return publicURL.hasSuffix("/") ? String(publicURL.dropLast()) : publicURL
        }
        return "http://\(host.contains(":") ? "[\(host)]" : host):\(port)"
    }

    /// The read models the server opens its store with, kept by the store with every append.
    /// The one place that says so: ``ApexServer`` opens the store with these, and the
    /// benchmark's store-level scenarios open theirs with them too, so that they measure the
    /// append path the server takes.
    public static var storeProjections: [any Projection] { [ProjectListProjection()] }
}
