/// A typed event payload: the `data` of an ``EventEnvelope`` of type ``type``.
public protocol DomainEvent: Codable, Sendable, Hashable {
    /// The event type, e.g. `project.updated`.
    static var type: String { get }
    /// The schema version of the payload.
    static var schemaVersion: Int { get }
}

extension DomainEvent {
    /// Version 1 unless a payload says otherwise.
    public static var schemaVersion: Int { 1 }

    /// This payload as an event to append, before ids and request context are known.
    public func draft(reason: String? = nil) throws -> DraftEvent {
        DraftEvent(type: Self.type, schemaVersion: Self.schemaVersion, data: try CanonicalJSON.value(of: self), reason: reason)
    }
}

/// What a decide function returns: an event's type, payload and reason, to be stamped with an
/// id, tenant, actor and request metadata by the caller (``ProposedEvent``).
public struct DraftEvent: Sendable, Hashable {
    /// The event type.
    public var type: String
    /// The payload's schema version.
    public var schemaVersion: Int
    /// The payload.
    public var data: JSONValue
    /// Why.
    public var reason: String?

    /// A draft.
    public init(type: String, schemaVersion: Int, data: JSONValue, reason: String?) {
        self.type = type
        self.schemaVersion = schemaVersion
        self.data = data
        self.reason = reason
    }

    /// The draft as an event to append.
    public func proposed(id: UUID, accountID: UUID, actor: Actor, requestMetadata: RequestMetadata = .none) -> ProposedEvent {
        ProposedEvent(
            id: id, type: type, schemaVersion: schemaVersion, data: data, accountID: accountID, actor: actor,
            requestMetadata: requestMetadata, reason: reason)
    }
}

public import struct Foundation.UUID
