import ApexBackup
import ApexDomain
import ApexFiles
import ApexLive
public import ApexMetrics
import ApexAnalytics
import ApexSearch
import ApexMail
import ApexWebhooks
import ApexWeb
public import ApexStore
public import Foundation
import HTTPTypes
public import Hummingbird
public import HummingbirdCore
public import Logging
public import NIOCore
import NIOSSL
public import ServiceLifecycle

/// The HTTP API over one event store: routes, authentication, the access gate, and the services
/// the routes share. Build a router with ``router()`` and serve it with Hummingbird, or run the
/// whole server with ``ApexServer``.
public final class ApexAPI: Sendable {
    let store: any EventStore
    let tokens: TokenService
    let configuration: ServerConfiguration
    let directory: AccountDirectory
    let gate: AccessGate
    let denials: DenialRecorder
    let projections = ProjectListProjection()
    let states: ProjectStateCache
    let writes = StreamWriteQueue()
    /// Where file bytes live; nil when no blob store is configured (files answer 503).
    let blobs: (any BlobStore)?
    /// Signs direct file links; nil when no key is configured (links answer 503).
    let fileLinks: FileLinkSigner?
    /// Where requests, appends, verifications and rate-limit refusals are counted.
    public let metrics: ApexMetrics
    /// The configured rate limits, with their buckets.
    let limiter: RateLimiter
    /// The virus scanner's address; nil when scanning is off (revisions start `unscanned`).
    let clamd: ClamdAddress?
    /// The full-text index (``SearchRoutes``, and `GET /v1/projects?q=`).
    let search: SearchIndex
    /// Usage analytics (``AnalyticsRoutes``): counters kept by the `analytics` consumer.
    let analytics: UsageAnalytics
    /// Audit anomaly flags (``AnomalyRoutes``), raised by the `anomalies` consumer.
    let anomalies: AuditAnomalies
    /// The webhook feature's tables (unavailable on the in-memory store: webhooks answer 503).
    let webhooks: WebhookStore
    /// The one follower of the log behind every live stream (``LiveRoutes``), run beside the
    /// server by ``application(address:services:logger:onReady:)``.
    let live: LiveFeed
    /// Who has which project open (``PresenceRoutes``), in the store's database.
    let presence: PresenceStore
    /// The mail feature's outbox (``NotificationRoutes``; invitation tokens for their email).
    let mail: MailOutbox
    /// HTTPS from ``ServerConfiguration/tls``, checked when the API is made; nil: plain HTTP.
    let tls: TLSConfiguration?
    /// The web pages' templates, texts and assets (``WebRoutes``).
    let webPages: WebPages
    /// Spent sign-in links and signed-out sessions, in the store's database.
    let webLedger: WebTokenLedger
    /// Signs and checks one-time sign-in links.
    let signInLinks: SignInLinks
    /// The web forms' CSRF tokens.
    let csrf: CSRFTokens

    /// An API over `store`, counting into `metrics` (a registry of its own by default): its
    /// appends are timed (``MeasuredStore``) and the store's gauges registered there.
    public init(store: any EventStore, configuration: ServerConfiguration, metrics: ApexMetrics = ApexMetrics()) async throws {
        let store = MeasuredStore(store, metrics: metrics)
        metrics.registerStoreGauges(store: store.base, consumers: ServerConsumers.names)
        self.metrics = metrics
        self.limiter = RateLimiter(limits: configuration.rateLimits, metrics: metrics)
        self.store = store
        self.configuration = configuration
        self.tls = try configuration.tls?.serverConfiguration()
        self.tokens = try await TokenService(secret: configuration.jwtSecret, maximumLifetime: configuration.maxTokenLifetime)
        self.directory = AccountDirectory(store: store)
        self.states = ProjectStateCache(
            budget: max(0, configuration.stateCacheMegabytes) * 1_048_576, snapshotInterval: configuration.snapshotInterval)
        self.denials = DenialRecorder(store: store, window: configuration.denialWindow, logger: Logger(label: "apex.server.denials"))
        self.gate = AccessGate(clock: configuration.clock, recorder: denials)
        self.blobs = try configuration.blobURL.map { try BlobStores.open($0) }
        self.fileLinks = configuration.fileLinkKey.map { FileLinkSigner(key: $0) }
        self.clamd = try configuration.clamd.map { try ClamdAddress($0) }
        self.search = SearchIndex(store: store, logger: Logger(label: "apex.server.search"))
        self.analytics = UsageAnalytics(store: store, logger: Logger(label: "apex.server.analytics"))
        self.anomalies = AuditAnomalies(store: store, logger: Logger(label: "apex.server.anomalies"))
        self.webhooks = WebhookStore(store: store, secrets: configuration.webhookSecrets, logger: Logger(label: "apex.server.webhooks"))
        try await webhooks.prepare()
        self.presence = PresenceStore(store: store, logger: Logger(label: "apex.server.presence"))
        try await presence.prepare()
        let states = self.states
        self.live = LiveFeed(
            store: store, configuration: configuration.live, logger: Logger(label: "apex.server.live"), presence: presence, clock: configuration.clock
        ) { event in
            // Once per event, so that the streams checking access find the project's state held.
            if let id = event.stream.projectID { _ = try? await states.load(id, from: store) }
        }
        let live = self.live
        metrics.registerGauge(name: "apex_live_streams", help: "Live (Server-Sent Events) streams open on this instance.") {
            [GaugeSample(value: Double(live.subscriberCount))]
        }
        self.mail = MailOutbox(store: store, logger: Logger(label: "apex.server.mail"))
        try await mail.prepare()
        if mail.isAvailable { _ = try await mail.startPosition(head: try await store.headPosition()) }
        self.webPages = try await WebPages.load()
        self.webLedger = WebTokenLedger(store: store, logger: Logger(label: "apex.server.web"))
        try await webLedger.prepare()
        self.signInLinks = SignInLinks(secret: configuration.jwtSecret)
        self.csrf = CSRFTokens(secret: configuration.jwtSecret)
    }

    /// The router with every route and middleware. `HEAD` is answered wherever `GET` is.
    public func router() -> Router<ApexRequestContext> {
        let router = Router(context: ApexRequestContext.self, options: .autoGenerateHeadEndpoints)
        let allowed = AllowedMethods()
        if tls != nil { router.add(middleware: StrictTransportSecurity()) }
        router.add(middleware: HTTPMetricsMiddleware(metrics: metrics))
        router.add(middleware: RequestMetadataMiddleware(trustedProxies: configuration.trustedProxies))
        router.add(middleware: limiter.addresses)
        router.add(middleware: ProblemMiddleware(allowed: allowed))
        HealthRoutes(api: self).register(on: router)
        let v1 = router.group("v1")
        // Routes that take no bearer token: the stricter `public` rate limit.
        let open = v1.group().add(middleware: limiter.publicRoutes)
        InvitationAcceptRoute(api: self).register(on: open)
        SignInLinkRoutes(api: self).register(on: open)
        // A browser session's cookie authenticates GET and HEAD here (the live streams, thumbnails).
        let authed = v1.group().add(middleware: AuthenticationMiddleware(api: self, sessions: .safeMethods)).add(middleware: limiter.users)
        MeRoutes(api: self).register(on: authed)
        PreferenceRoutes(api: self).register(on: authed)
        UserRoutes(api: self).register(on: authed)
        ErasureRoutes(api: self).register(on: authed)
        UserExportRoutes(api: self).register(on: authed)
        SessionRoutes(api: self).register(on: authed)
        AccountSettingsRoutes(api: self).register(on: authed)
        ProjectRoutes(api: self).register(on: authed)
        CalculationRoutes(api: self).register(on: authed)
        AuditRoutes(api: self).register(on: authed)
        FileRoutes(api: self).register(on: authed)
        FileContentRoutes(api: self).register(on: authed)
        FileThumbnailRoutes(api: self).register(on: authed)
        FileLinkRoutes(api: self).register(public: open, authed: authed)
        SearchRoutes(api: self).register(on: authed)
        AnalyticsRoutes(api: self).register(on: authed)
        AnomalyRoutes(api: self).register(on: authed)
        ExportRoutes(api: self).register(on: authed)
        WebhookRoutes(api: self).register(on: authed)
        WebhookDeliveryRoutes(routes: WebhookRoutes(api: self)).register(on: authed)
        LiveRoutes(api: self).register(on: authed)
        PresenceRoutes(api: self).register(on: authed)
        NotificationRoutes(api: self).register(on: authed)
        WebRoutes(api: self).register(on: router)
        allowed.register(router.routes)
        return router
    }

    /// The application serving this API at `address`, as ``ApexServer`` runs it: the HTTP/1.1
    /// server with the configured timeouts and connection cap, `services` and the live feed
    /// beside it. `onReady` is called with the listening channel once it accepts connections.
    public func application(
        address: BindAddress, services: [any Service] = [], logger: Logger,
        onReady: @escaping @Sendable (any Channel) async -> Void = { _ in }
    ) -> Application<RouterResponder<ApexRequestContext>> {
        let capped = configuration.maxConnections != nil
        return Application(
            router: router(), server: httpServer(logger: logger), configuration: applicationConfiguration(address: address), services: [live] + services,
            onServerRunning: { channel in
                // Hummingbird checks the cap before each read of the listening socket, and NIO
                // accepts up to 4 connections a read: a burst would pass the cap by 3. One a read
                // keeps it exact.
                if capped { try? await channel.setOption(ChannelOptions.maxMessagesPerRead, value: 1).get() }
                await onReady(channel)
            },
            logger: logger)
    }

    /// The HTTP/1.1 server with the configured idle, header-read and body-read timeouts; with
    /// ``tls``, HTTPS offering HTTP/2 and HTTP/1.1 by ALPN with the same limits.
    func httpServer(logger: Logger) -> HTTPServerBuilder {
        let idle = configuration.idleTimeout.map { TimeAmount($0) }
        let head = configuration.headerReadTimeout.map { TimeAmount($0) }
        let body = configuration.bodyReadTimeout.map { TimeAmount($0) }
        let tls = self.tls
        return HTTPServerBuilder { responder in
            let http1 = ApexHTTP1Channel(responder: responder, idleTimeout: idle, headTimeout: head, bodyTimeout: body)
            guard let tls else { return http1 }
            return try ApexTLSChannel(configuration: tls, http1: http1, logger: logger)
        }
    }

    /// The application configuration for `address`: the server name and the connection cap.
    func applicationConfiguration(address: BindAddress) -> ApplicationConfiguration {
        ApplicationConfiguration(
            address: address, serverName: "apex",
            availableConnectionsDelegate: configuration.maxConnections.map { MaximumAvailableConnections(max(1, $0)) })
    }

    /// Writes the counts of coalesced access denials whose window has closed.
    public func flushExpiredDenials() async throws { try await denials.flushExpired() }

    /// Writes every pending count of coalesced access denials (at shutdown, or in tests).
    public func flushDenials() async { await denials.flushAll() }

    /// A bearer token for a user (what `apex-cli token issue` prints).
    public func issueToken(user: UUID, account: UUID) async throws -> String {
        try await tokens.issue(user: user, account: account, ttl: configuration.tokenLifetime, now: configuration.clock())
    }

    /// A one-time sign-in link for a user (what `apex-cli token issue --sign-in-link` prints), on
    /// the server's public address.
    public func issueSignInLink(user: UUID, account: UUID) -> String {
        SignInLinks.url(base: configuration.publicBaseURL, token: signInLinks.issue(user: user, account: account, now: configuration.clock()))
    }

    /// Appends drafts as the identity, with the request's metadata.
    func append(
        _ drafts: [DraftEvent], to stream: StreamID, expected: ExpectedVersion, account: UUID, actor: Actor, context: ApexRequestContext
    ) async throws -> AppendResult {
        let proposed = drafts.map { $0.proposed(id: UUID(), accountID: account, actor: actor, requestMetadata: context.requestMetadata) }
        return try await store.append(proposed, to: stream, expected: expected)
    }
}
