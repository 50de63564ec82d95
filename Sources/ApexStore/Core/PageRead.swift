import ApexDomain

/// One page of a read that runs ahead of its reader: which page it is, and its events or why
/// they could not be read, kept until the reader knows whether it needs the page.
///
/// (A child task's value here, not a tuple holding a `Result`: in release builds with Swift
/// 6.3.1 a task group of `(Int, Result<[EventEnvelope], any Error>)` handed back corrupted
/// values.)
struct PageRead: Sendable {
    /// The page's place in the read, from 0.
    var index: Int
    /// The events, when the read succeeded.
    var events: [EventEnvelope]
    /// Why the read failed, when it did.
    var failure: (any Error)?

    /// Reads one page with `read`, keeping its error instead of throwing it.
    static func reading(_ index: Int, _ read: () async throws -> [EventEnvelope]) async -> PageRead {
        do { return PageRead(index: index, events: try await read(), failure: nil) } catch {
            return PageRead(index: index, events: [], failure: error)
        }
    }

    /// The events, or the read's error.
    func get() throws -> [EventEnvelope] {
        if let failure { throw failure }
        return events
    }
}
