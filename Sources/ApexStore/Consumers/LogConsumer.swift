public import ApexDomain

/// Something that reacts to the log: webhooks, email, search indexes, analytics, live streams.
///
/// A ``ConsumerRunner`` hands it the events after its saved position, a page at a time in
/// global order, and saves the new position only after ``handle(_:)`` returns: delivery is
/// **at least once**. A crash, a lost claim or a failed save repeats a batch, never skips one,
/// so the work must be keyed by event id (an idempotency key, a message key, a `webhook-id`)
/// to make a repeat harmless.
///
/// A consumer that keeps its own read model (tables of its own, in this store or elsewhere)
/// clears it in ``prepareForReplay()``, which the runner calls before handling from position 0:
/// on first start and after `apex-cli projections rebuild NAME` (``EventStore/resetConsumer(_:)``).
///
/// ```swift
/// struct AuditTail: LogConsumer {
///     let name = "audit-tail"
///     func handle(_ events: [EventEnvelope]) async throws {
///         for event in events { print(event.position, event.type) }
///     }
/// }
/// ```
public protocol LogConsumer: Sendable {
    /// A unique, stable name, e.g. `webhooks`: the key of its saved position and claim.
    var name: String { get }

    /// Whether events come with personal values opened (plaintext, or erased where the key is
    /// gone) or as stored (sealed). Open them only where the output needs them and is allowed
    /// to show them; the default is ``ReadMode/stored``.
    var readMode: ReadMode { get }

    /// Does the work for `events`: consecutive events of the log in position order, never
    /// empty. Throwing leaves the position where it was; the runner retries the same events
    /// after a backoff and records the error (``ConsumerPosition/lastError``).
    func handle(_ events: [EventEnvelope]) async throws

    /// Called before handling events from position 0 (first start, or after a reset): a
    /// consumer with a read model of its own empties it here. May be called more than once.
    /// The default does nothing.
    func prepareForReplay() async throws
}

extension LogConsumer {
    /// Sealed personal values: the default.
    public var readMode: ReadMode { .stored }

    /// Nothing to clear.
    public func prepareForReplay() async throws {}
}
