import ApexDomain
public import ApexStore
public import Foundation
import HTTPTypes
public import Hummingbird
import Logging
import NIOCore

/// The HTTP API over one event store: routes, authentication, the access gate, and the services
/// the routes share. Build a router with ``router()`` and serve it with Hummingbird, or run the
/// whole server with ``ApexServer``.
public final class ApexAPI: Sendable {
    let store: any EventStore
    let tokens: TokenService
    let configuration: ServerConfiguration
    let directory: AccountDirectory
    let gate: AccessGate
    let projections = ProjectListProjection()

    /// An API over `store`.
    public init(store: any EventStore, configuration: ServerConfiguration) async throws {
        self.store = store
        self.configuration = configuration
        self.tokens = try await TokenService(secret: configuration.jwtSecret)
        self.directory = AccountDirectory(store: store)
        self.gate = AccessGate(store: store, clock: configuration.clock)
    }

    /// The router with every route and middleware.
    public func router() -> Router<ApexRequestContext> {
        let router = Router(context: ApexRequestContext.self)
        router.add(middleware: RequestMetadataMiddleware(trustedProxies: configuration.trustedProxies))
        router.add(middleware: ProblemMiddleware())
        HealthRoutes(api: self).register(on: router)
        let v1 = router.group("v1")
        InvitationAcceptRoute(api: self).register(on: v1)
        let authed = v1.group().add(middleware: AuthenticationMiddleware(api: self))
        MeRoutes(api: self).register(on: authed)
        UserRoutes(api: self).register(on: authed)
        ProjectRoutes(api: self).register(on: authed)
        CalculationRoutes(api: self).register(on: authed)
        AuditRoutes(api: self).register(on: authed)
        return router
    }

    /// A bearer token for a user (what `apex-cli token issue` prints).
    public func issueToken(user: UUID, account: UUID) async throws -> String {
        try await tokens.issue(user: user, account: account, ttl: configuration.tokenLifetime, now: configuration.clock())
    }

    /// Appends drafts as the identity, with the request's metadata.
    func append(
        _ drafts: [DraftEvent], to stream: StreamID, expected: ExpectedVersion, account: UUID, actor: Actor, context: ApexRequestContext
    ) async throws -> AppendResult {
        let proposed = drafts.map { $0.proposed(id: UUID(), accountID: account, actor: actor, requestMetadata: context.requestMetadata) }
        return try await store.append(proposed, to: stream, expected: expected)
    }
}
