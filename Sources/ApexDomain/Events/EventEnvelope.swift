public import Foundation

/// The name of an event stream: `project-<uuid>` or `account-<uuid>`.
public struct StreamID: RawRepresentable, Sendable, Hashable, Codable, CustomStringConvertible, Comparable {
    /// The stream's name.
    public let rawValue: String

    /// A stream by name.
    public init(rawValue: String) { self.rawValue = rawValue }

    /// The stream of a project.
    public static func project(_ id: UUID) -> StreamID { StreamID(rawValue: "project-" + id.lowercased) }
    /// The project this is the stream of, when it is a project stream (the inverse of ``project(_:)``).
    public var projectID: UUID? {
        guard rawValue.hasPrefix("project-") else { return nil }
        return UUID(uuidString: String(rawValue.dropFirst("project-".count)))
    }
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
    /// The raw `X-Forwarded-For` header. (Events recorded before ``forwarded`` existed hold a
    /// `Forwarded` header here when the request had no `X-Forwarded-For`.)
    public var xForwardedFor: Personal?
    /// The raw RFC 7239 `Forwarded` header. Absent from the JSON (and so from the hash) when nil,
    /// so events recorded before this field existed hash as they did.
    public var forwarded: Personal?
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
        peerAddress: String? = nil, requestID: String? = nil, traceID: String? = nil, forwarded: String? = nil
    ) {
        func personal(_ s: String?) -> Personal? { s.map { Personal($0, subject: DataSubject.requestMetadata) } }
        self.ipAddress = personal(ipAddress)
        self.userAgent = personal(userAgent)
        self.xForwardedFor = personal(xForwardedFor)
        self.peerAddress = personal(peerAddress)
        self.forwarded = personal(forwarded)
        self.requestID = requestID
        self.traceID = traceID
    }

    /// The personal fields, for the store to seal and open.
    public var personalFields: [WritableKeyPath<RequestMetadata, Personal?>] {
        [\.ipAddress, \.userAgent, \.xForwardedFor, \.peerAddress, \.forwarded]
    }

    enum CodingKeys: String, CodingKey {
        case ipAddress = "ip_address"
        case userAgent = "user_agent"
        case xForwardedFor = "x_forwarded_for"
        case peerAddress = "peer_address"
        case requestID = "request_id"
        case traceID = "trace_id"
        case forwarded
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
///
/// An envelope read from a store keeps its payload, actor and request metadata as the stored
/// text and decodes them (opening personal data) on first access, once: reading a page costs
/// little more than reading its rows, and a reader that needs only positions, streams and
/// types never decodes a payload.
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
    /// The tenant.
    public var accountID: UUID
    /// Why.
    public var reason: String?
    /// When the store recorded it (the store's clock, microseconds, UTC).
    public var recordedAt: Date
    /// The hash of the stream's previous event (64 zeros for version 1).
    public var prevHash: String
    /// SHA-256 over `prevHash` and the canonical envelope.
    public var hash: String
    private var body: EnvelopeBody

    /// The change itself.
    public var data: JSONValue {
        get { body.dataValue }
        set { parts.data = newValue }
    }

    /// Who did it.
    public var actor: Actor {
        get { body.actorValue }
        set { parts.actor = newValue }
    }

    /// Where the request came from.
    public var requestMetadata: RequestMetadata {
        get { body.requestMetadataValue }
        set { parts.requestMetadata = newValue }
    }

    /// Data, actor and request metadata together (decoded on first access).
    package var parts: EnvelopeParts {
        get { body.parts }
        set { body = EnvelopeBody(newValue) }
    }

    /// The stored texts of data, actor and request metadata, when this envelope was read as
    /// stored (not opened) and none of them has been changed since.
    package var storedTexts: StoredParts? {
        guard let stored = body.stored, stored.open == nil else { return nil }
        return stored
    }

    /// This envelope with `open` applied to each of its personal values: as they are decoded on
    /// first access when the parts are still stored texts, otherwise now.
    package func opening(_ open: @escaping @Sendable (Personal) -> Personal) -> EventEnvelope {
        var e = self
        if var stored = storedTexts {
            stored.open = open
            e.body = EnvelopeBody(stored)
        } else {
            e.parts = parts.mappingPersonal(open)
        }
        return e
    }

    /// An envelope.
    public init(
        position: Int64, stream: StreamID, version: Int64, id: UUID, type: String, schemaVersion: Int,
        data: JSONValue, accountID: UUID, actor: Actor, requestMetadata: RequestMetadata, reason: String?,
        recordedAt: Date, prevHash: String, hash: String
    ) {
        self.init(
            position: position, stream: stream, version: version, id: id, type: type, schemaVersion: schemaVersion,
            body: EnvelopeBody(EnvelopeParts(data: data, actor: actor, requestMetadata: requestMetadata)), accountID: accountID,
            reason: reason, recordedAt: recordedAt, prevHash: prevHash, hash: hash)
    }

    /// An envelope whose data, actor and request metadata are decoded from `stored` when first read.
    package init(
        position: Int64, stream: StreamID, version: Int64, id: UUID, type: String, schemaVersion: Int,
        stored: StoredParts, accountID: UUID, reason: String?, recordedAt: Date, prevHash: String, hash: String
    ) {
        self.init(
            position: position, stream: stream, version: version, id: id, type: type, schemaVersion: schemaVersion,
            body: EnvelopeBody(stored), accountID: accountID, reason: reason, recordedAt: recordedAt, prevHash: prevHash,
            hash: hash)
    }

    private init(
        position: Int64, stream: StreamID, version: Int64, id: UUID, type: String, schemaVersion: Int, body: EnvelopeBody,
        accountID: UUID, reason: String?, recordedAt: Date, prevHash: String, hash: String
    ) {
        self.position = position
        self.stream = stream
        self.version = version
        self.id = id
        self.type = type
        self.schemaVersion = schemaVersion
        self.body = body
        self.accountID = accountID
        self.reason = reason
        self.recordedAt = recordedAt
        self.prevHash = prevHash
        self.hash = hash
    }

    /// Decodes the typed payload.
    public func payload<E: DomainEvent>(as type: E.Type) throws -> E {
        try CanonicalJSON.decode(type, from: data)
    }

    /// Envelopes are equal when every field is, however their parts are held.
    public static func == (lhs: EventEnvelope, rhs: EventEnvelope) -> Bool {
        lhs.position == rhs.position && lhs.stream == rhs.stream && lhs.version == rhs.version && lhs.id == rhs.id
            && lhs.type == rhs.type && lhs.schemaVersion == rhs.schemaVersion && lhs.accountID == rhs.accountID
            && lhs.reason == rhs.reason && lhs.recordedAt == rhs.recordedAt && lhs.prevHash == rhs.prevHash
            && lhs.hash == rhs.hash && lhs.parts == rhs.parts
    }

    /// Hashes the fields that identify the envelope (equal envelopes share them).
    public func hash(into hasher: inout Hasher) {
        hasher.combine(position)
        hasher.combine(id)
        hasher.combine(hash)
    }

    enum CodingKeys: String, CodingKey {
        case position, stream, version, id, type, data, actor, reason, hash
        case schemaVersion = "schema_version"
        case accountID = "account_id"
        case requestMetadata = "request_metadata"
        case recordedAt = "recorded_at"
        case prevHash = "prev_hash"
    }

    /// Decodes every field.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            position: try c.decode(Int64.self, forKey: .position), stream: try c.decode(StreamID.self, forKey: .stream),
            version: try c.decode(Int64.self, forKey: .version), id: try c.decode(UUID.self, forKey: .id),
            type: try c.decode(String.self, forKey: .type), schemaVersion: try c.decode(Int.self, forKey: .schemaVersion),
            data: try c.decode(JSONValue.self, forKey: .data), accountID: try c.decode(UUID.self, forKey: .accountID),
            actor: try c.decode(Actor.self, forKey: .actor),
            requestMetadata: try c.decode(RequestMetadata.self, forKey: .requestMetadata),
            reason: try c.decodeIfPresent(String.self, forKey: .reason), recordedAt: try c.decode(Date.self, forKey: .recordedAt),
            prevHash: try c.decode(String.self, forKey: .prevHash), hash: try c.decode(String.self, forKey: .hash))
    }

    /// Encodes every field.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        let parts = self.parts
        try c.encode(position, forKey: .position)
        try c.encode(stream, forKey: .stream)
        try c.encode(version, forKey: .version)
        try c.encode(id, forKey: .id)
        try c.encode(type, forKey: .type)
        try c.encode(schemaVersion, forKey: .schemaVersion)
        try c.encode(parts.data, forKey: .data)
        try c.encode(accountID, forKey: .accountID)
        try c.encode(parts.actor, forKey: .actor)
        try c.encode(parts.requestMetadata, forKey: .requestMetadata)
        try c.encodeIfPresent(reason, forKey: .reason)
        try c.encode(recordedAt, forKey: .recordedAt)
        try c.encode(prevHash, forKey: .prevHash)
        try c.encode(hash, forKey: .hash)
    }
}
