public import ApexDomain
import ApexStore
import Foundation
import HTTPTypes
public import Hummingbird
import Logging
import NIOCore

/// Who is calling: the authenticated user, as the account knows them right now.
public struct Identity: Sendable, Hashable {
    /// The policy's view of the caller.
    public var principal: Principal
    /// The user record (name, email, role, license).
    public var user: AccountUser
}

/// The request context: forensic metadata for every event the request writes, and the caller.
public struct ApexRequestContext: RequestContext, RemoteAddressRequestContext {
    /// Hummingbird's storage.
    public var coreContext: CoreRequestContextStorage
    /// The socket peer.
    public let remoteAddress: SocketAddress?
    /// Where the request came from, as recorded on events.
    public var requestMetadata = RequestMetadata.none
    /// The request id (echoed in `X-Request-ID`).
    public var requestID = ""
    /// The caller, once authenticated.
    public var identity: Identity?
    /// The id of the browser session the caller was authenticated by (its `jti`); nil for a
    /// bearer token. The web pages derive their CSRF token from it.
    public var sessionID: String?

    /// A context for a request on `source`'s channel.
    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }

    /// The configured body limit is enforced by ``BodyReader``; this is the transport's ceiling.
    public var maxUploadSize: Int { 8 * 1024 * 1024 }

    /// The caller, or 401.
    public func requireIdentity() throws -> Identity {
        guard let identity else { throw APIError.unauthorized("a bearer token is required") }
        return identity
    }
}
