import ApexDomain
import ApexStore
import Foundation
import Synchronization

/// One client's view of an account's events after a position (``LiveFeed/subscribe(account:after:)``):
/// the events already stored, read in pages, then those the feed hands out, each exactly once,
/// in position order, with heartbeats in between. It ends when ``finish()`` is called, when the
/// client falls too far behind, or when the feed stops (``endReason`` says which).
public struct LiveSubscription: AsyncSequence, Sendable {
    /// Items.
    public typealias Element = LiveItem

    /// Why a subscription ended.
    public enum EndReason: Sendable, Hashable {
        /// ``LiveSubscription/finish()`` was called (the stream's time ran out, or the client left).
        case finished
        /// The client's buffer filled up: it read too slowly.
        case slowClient
        /// The feed stopped (graceful shutdown).
        case shutdown
    }

    /// The reason, set once, by whoever ends the subscription first.
    final class Ending: Sendable {
        private let reason = Mutex<EndReason?>(nil)
        func set(_ value: EndReason) { reason.withLock { $0 = $0 ?? value } }
        var value: EndReason? { reason.withLock { $0 } }
    }

    let store: any EventStore
    let account: UUID
    /// The one project of a project stream: its catch-up reads that project's stream, not the account's.
    let project: UUID?
    /// The client's last seen position.
    let after: Int64
    /// The feed's position when the subscription registered: events after it arrive through `items`.
    let liveAfter: Int64
    let pageSize: Int
    let items: AsyncStream<LiveItem>
    let continuation: AsyncStream<LiveItem>.Continuation
    let ending: Ending

    /// Ends the subscription: the iteration returns nil once buffered items are read.
    public func finish() {
        ending.set(.finished)
        continuation.finish()
    }

    /// Why it ended, once it has.
    public var endReason: EndReason? { ending.value }

    /// Starts reading.
    public func makeAsyncIterator() -> Iterator {
        Iterator(store: store, account: account, project: project, last: after, liveAfter: liveAfter, pageSize: pageSize, live: items.makeAsyncIterator())
    }

    /// The iterator: catches up from the store through `liveAfter`, then reads the feed's items.
    public struct Iterator: AsyncIteratorProtocol {
        let store: any EventStore
        let account: UUID
        let project: UUID?
        /// A project stream's catch-up: the version of the project's stream to read next.
        var nextVersion: Int64?
        var last: Int64
        let liveAfter: Int64
        let pageSize: Int
        var live: AsyncStream<LiveItem>.Iterator
        var page: [EventEnvelope] = []
        var index = 0
        var caughtUp = false

        /// The next event or heartbeat; nil when the subscription has ended.
        public mutating func next() async throws -> LiveItem? {
            while !caughtUp {
                if index < page.count {
                    let event = page[index]
                    index += 1
                    last = event.position
                    return .event(event)
                }
                guard last < liveAfter else {
                    caughtUp = true
                    break
                }
                let read = try await catchUpPage()
                // What lies past the feed's position comes through the feed.
                page = read.filter { $0.position > last && $0.position <= liveAfter }
                index = 0
                if page.isEmpty { caughtUp = true }
            }
            while let item = await live.next() {
                if case .event(let event) = item {
                    guard event.position > last else { continue }
                    last = event.position
                }
                return item
            }
            return nil
        }
    

        /// The next stored events after `last`: the account's, or for a project stream its own
        /// stream's from the first version past `last` (a long account log is not read through
        /// for one project).
        mutating func catchUpPage() async throws -> [EventEnvelope] {
            guard let project else { return try await store.readAccount(account, after: last, limit: pageSize, mode: .opened) }
            let stream = StreamID.project(project)
            if nextVersion == nil { nextVersion = try await firstVersion(of: stream, after: last) }
            let read = try await store.readStream(stream, from: nextVersion!, limit: pageSize, mode: .opened)
            nextVersion! += Int64(read.count)
            return read
        }

        /// The first version of `stream` whose event lies after `position` (one past the last
        /// version when none does), by bisection: positions grow with versions.
        func firstVersion(of stream: StreamID, after position: Int64) async throws -> Int64 {
            var (low, high) = (Int64(1), try await store.streamVersion(stream) + 1)
            while low < high {
                let middle = low + (high - low) / 2
                let event = try await store.readStream(stream, from: middle, limit: 1, mode: .stored).first
                if let event, event.position <= position { low = middle + 1 } else { high = middle }
            }
            return low
        }
    }
}
