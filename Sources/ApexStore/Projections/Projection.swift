public import ApexDomain
public import Foundation

/// A read model kept up to date from the event stream: one JSON document per key, grouped in
/// partitions (an account, say). The store applies projections inline, in the append's own
/// transaction, so a read model is never behind or ahead of the log; it can also be rebuilt
/// from scratch with ``EventStore/rebuildProjection(_:)``.
///
/// Projections see events in their stored form (personal values sealed), so no plaintext
/// personal data ever lands in a read model and erasure needs no clean-up there.
public protocol Projection: Sendable {
    /// A unique, stable name, e.g. `projects`.
    var name: String { get }
    /// The document the event changes, as (partition, key), or nil if it changes none.
    func target(of event: EventEnvelope) -> (partition: String, key: String)?
    /// The document after the event; nil deletes it.
    func apply(_ event: EventEnvelope, to document: JSONValue?) throws -> JSONValue?
    /// Which documents the events of one stream (in one account) change, and whether they are
    /// that stream's alone; see ``DocumentOwnership``. The default is `.shared`.
    func ownership(of stream: StreamID, account: UUID) -> DocumentOwnership
}

/// Whether a stream's events are the only ones that change the documents they change.
///
/// When every document an append touches is owned by the append's own stream, a store can fold
/// the events into it before it takes the store's lock: the stream's unchanged head at the
/// write proves the document unchanged too. PostgreSQL's two-statement append relies on it
/// (see `PostgresEventStore.commit`); a `.shared` answer sends the append to the locked path.
/// That fold happens before positions are assigned, so a projection that answers `.owned` must
/// not record an event's `position` in its documents.
public enum DocumentOwnership: Sendable, Hashable {
    /// The stream's events change no document of this projection.
    case none
    /// The stream's events change exactly this document, and no other stream's events do.
    case owned(partition: String, key: String)
    /// Other streams' events may change the same documents.
    case shared
}

extension Projection {
    /// Unknown ownership: appends fold this projection under the store's lock.
    public func ownership(of stream: StreamID, account: UUID) -> DocumentOwnership { .shared }
}
