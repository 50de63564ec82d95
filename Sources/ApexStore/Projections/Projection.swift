public import ApexDomain

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
}
