public import ApexDomain

/// Every event after a position, in order, as it commits: a catch-up read of the log, then live.
///
/// Pull-based: each `next()` reads a page or waits for the store's append signal (in-process
/// for SQLite and memory, LISTEN/NOTIFY for PostgreSQL), so nothing runs in the background and
/// cancelling the consuming task ends the subscription.
///
/// ```swift
/// for try await event in store.subscribe(after: lastSeen) { try await projector.apply(event) }
/// ```
public struct EventSubscription: AsyncSequence, Sendable {
    /// Events.
    public typealias Element = EventEnvelope

    let store: any EventStore
    let after: Int64
    let pageSize: Int

    /// Starts reading.
    public func makeAsyncIterator() -> Iterator {
        Iterator(store: store, cursor: after, pageSize: pageSize)
    }

    /// The iterator.
    public struct Iterator: AsyncIteratorProtocol {
        let store: any EventStore
        var cursor: Int64
        let pageSize: Int
        var buffer: [EventEnvelope] = []
        var index = 0

        /// The next event; waits for one when caught up. Throws `CancellationError` when cancelled.
        public mutating func next() async throws -> EventEnvelope? {
            while true {
                try Task.checkCancellation()
                if index < buffer.count {
                    let event = buffer[index]
                    index += 1
                    cursor = event.position
                    return event
                }
                buffer = try await store.readAll(after: cursor, limit: pageSize, mode: .opened)
                index = 0
                if buffer.isEmpty { try await store.waitForAppend(after: cursor, timeout: .seconds(1)) }
            }
        }
    }
}
