public import Foundation

/// The name of an event stream: `project-<uuid>` or `account-<uuid>`.
public struct StreamID: RawRepresentable, Sendable, Hashable, Codable, CustomStringConvertible, Comparable {
    /// The stream's name.
    public let rawValue: String

    /// A stream by name.
    public init(rawValue: String) { self.rawValue = rawValue }

    /// The stream of a project.
    public static func project(_ id: UUID) -> StreamID { StreamID(rawValue: "project-" + id.lowercased) }
    /// The stream of an account: users, invitations, roles, settings, access denials.
    public static func account(_ id: UUID) -> StreamID { StreamID(rawValue: "account-" + id.lowercased) }

    /// The name.
    public var description: String { rawValue }

    /// Streams sort by name.
    public static func < (lhs: StreamID, rhs: StreamID) -> Bool { lhs.rawValue < rhs.rawValue }

    /// Decodes the bare name.
    public init(from decoder: any Decoder) throws { rawValue = try decoder.singleValueContainer().decode(String.self) }
    /// Encodes the bare name.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(rawValue)
    }
}

/// Who did it: a user, possibly acting for another, or a named service (the CLI, a scheduled job).
public struct Actor: Sendable, Hashable, Codable {
    /// The acting user.
    public var userID: UUID?
    /// The user on whose behalf `userID` acted.
    public var onBehalfOf: UUID?
    /// A non-human actor, e.g. `apex-cli` or `retention-job`.
    public var service: String?

    /// A user acting, optionally for another.
    public static func user(_ id: UUID, onBehalfOf: UUID? = nil) -> Actor {
        Actor(userID: id, onBehalfOf: onBehalfOf, service: nil)
    }

    /// A service acting.
    public static func service(_ name: String) -> Actor { Actor(userID: nil, onBehalfOf: nil, service: name) }

    /// An actor.
    public init(userID: UUID?, onBehalfOf: UUID?, service: String?) {
        self.userID = userID
        self.onBehalfOf = onBehalfOf
        self.service = service
    }

    enum CodingKeys: String, CodingKey {
        case userID = "user_id"
        case onBehalfOf = "on_behalf_of"
        case service
    }
}

/// Where a request came from. The address fields are personal data and sealed by the store.
public struct RequestMetadata: Sendable, Hashable, Codable {
    /// The client's address (the socket peer, or the first untrusted address behind trusted proxies).
    public var ipAddress: Personal?
    /// The `User-Agent` header.
    public var userAgent: Personal?
    /// The raw `X-Forwarded-For` (or `Forwarded`) header.
    public var xForwardedFor: Personal?
    /// The socket peer's address.
    public var peerAddress: Personal?
    /// The request id, echoed in `X-Request-ID`.
    public var requestID: String?
    /// The W3C trace id from `traceparent`.
    public var traceID: String?

    /// No metadata: an event from an embedded app or a CLI.
    public static let none = RequestMetadata()

    /// Metadata; the address fields become ``Personal`` values of the request-metadata subject.
    public init(
        ipAddress: String? = nil, userAgent: String? = nil, xForwardedFor: String? = nil,
        peerAddress: String? = nil, requestID: String? = nil, traceID: String? = nil
    ) {
        func personal(_ s: String?) -> Personal? { s.map { Personal($0, subject: DataSubject.requestMetadata) } }
        self.ipAddress = personal(ipAddress)
        self.userAgent = personal(userAgent)
        self.xForwardedFor = personal(xForwardedFor)
        self.peerAddress = personal(peerAddress)
        self.requestID = requestID
        self.traceID = traceID
    }

    /// The personal fields, for the store to seal and open.
    public var personalFields: [WritableKeyPath<RequestMetadata, Personal?>] {
        [\.ipAddress, \.userAgent, \.xForwardedFor, \.peerAddress]
    }

    enum CodingKeys: String, CodingKey {
        case ipAddress = "ip_address"
        case userAgent = "user_agent"
        case xForwardedFor = "x_forwarded_for"
        case peerAddress = "peer_address"
        case requestID = "request_id"
        case traceID = "trace_id"
    }
}

/// An event to append: everything but what the store assigns (position, version, time, hashes).
public struct ProposedEvent: Sendable, Hashable {
    /// The event id; appending the same id twice is a no-op that returns the first result.
    public var id: UUID
    /// The event type, e.g. `project.updated`.
    public var type: String
    /// The schema version of `data`.
    public var schemaVersion: Int
    /// The change itself.
    public var data: JSONValue
    /// The tenant the event belongs to.
    public var accountID: UUID
    /// Who did it.
    public var actor: Actor
    /// Where the request came from.
    public var requestMetadata: RequestMetadata
    /// Why.
    public var reason: String?

    /// A proposed event.
    public init(
        id: UUID, type: String, schemaVersion: Int = 1, data: JSONValue, accountID: UUID, actor: Actor,
        requestMetadata: RequestMetadata = .none, reason: String? = nil
    ) {
        self.id = id
        self.type = type
        self.schemaVersion = schemaVersion
        self.data = data
        self.accountID = accountID
        self.actor = actor
        self.requestMetadata = requestMetadata
        self.reason = reason
    }

    /// A proposed event from a typed payload.
    public init<E: DomainEvent>(
        id: UUID, _ event: E, accountID: UUID, actor: Actor, requestMetadata: RequestMetadata = .none,
        reason: String? = nil
    ) throws {
        self.init(
            id: id, type: E.type, schemaVersion: E.schemaVersion, data: try CanonicalJSON.value(of: event),
            accountID: accountID, actor: actor, requestMetadata: requestMetadata, reason: reason)
    }
}

/// A recorded event: immutable once appended.
public struct EventEnvelope: Sendable, Hashable, Codable {
    /// Global, gap-safe position across the store (1-based).
    public var position: Int64
    /// The stream.
    public var stream: StreamID
    /// 1-based version within the stream, without gaps.
    public var version: Int64
    /// The event id.
    public var id: UUID
    /// The event type.
    public var type: String
    /// The schema version of `data`.
    public var schemaVersion: Int
    /// The change itself.
    public var data: JSONValue
    /// The tenant.
    public var accountID: UUID
    /// Who did it.
    public var actor: Actor
    /// Where the request came from.
    public var requestMetadata: RequestMetadata
    /// Why.
    public var reason: String?
    /// When the store recorded it (the store's clock, microseconds, UTC).
    public var recordedAt: Date
    /// The hash of the stream's previous event (64 zeros for version 1).
    public var prevHash: String
    /// SHA-256 over `prevHash` and the canonical envelope.
    public var hash: String

    /// An envelope.
    public init(
        position: Int64, stream: StreamID, version: Int64, id: UUID, type: String, schemaVersion: Int,
        data: JSONValue, accountID: UUID, actor: Actor, requestMetadata: RequestMetadata, reason: String?,
        recordedAt: Date, prevHash: String, hash: String
    ) {
        self.position = position
        self.stream = stream
        self.version = version
        self.id = id
        self.type = type
        self.schemaVersion = schemaVersion
        self.data = data
        self.accountID = accountID
        self.actor = actor
        self.requestMetadata = requestMetadata
        self.reason = reason
        self.recordedAt = recordedAt
        self.prevHash = prevHash
        self.hash = hash
    }

    /// Decodes the typed payload.
    public func payload<E: DomainEvent>(as type: E.Type) throws -> E {
        try CanonicalJSON.decode(type, from: data)
    }

    enum CodingKeys: String, CodingKey {
        case position, stream, version, id, type, data, actor, reason, hash
        case schemaVersion = "schema_version"
        case accountID = "account_id"
        case requestMetadata = "request_metadata"
        case recordedAt = "recorded_at"
        case prevHash = "prev_hash"
    }
}
