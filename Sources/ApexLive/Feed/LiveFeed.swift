public import ApexDomain
public import ApexStore
public import Foundation
public import Logging
public import ServiceLifecycle
import Synchronization

/// The one reader of the log per process behind every live stream: it follows the store from
/// its head (woken by ``EventStore/waitForAppend(after:timeout:)``: in process on SQLite,
/// LISTEN/NOTIFY on PostgreSQL, so another instance's append arrives too) and hands each event
/// to the subscriptions of its account, in memory. However many streams are open, the log is
/// read once.
///
/// Each subscription has a bounded buffer (``LiveConfiguration/bufferCapacity``): a client that
/// falls that far behind is ended, not allowed to grow memory; it resumes from its last event.
/// At graceful shutdown every subscription ends, so their responses finish.
///
/// ```swift
/// let feed = LiveFeed(store: store, logger: logger)   // run it as a Service
/// for try await item in try await feed.subscribe(account: id, after: lastSeen) { … }
/// ```
public final class LiveFeed: Service, Sendable {
    struct Subscriber: Sendable {
        let account: UUID
        /// The project of a project stream, which also gets ``LiveItem/presence(_:)`` items.
        let project: UUID?
        /// The users last told present, for a project stream.
        var present: Set<UUID>? = nil
        let continuation: AsyncStream<LiveItem>.Continuation
        let ended: LiveSubscription.Ending
    }
    struct State {
        /// The last position handed to subscribers (nil until the first subscription or `run`).
        var cursor: Int64?
        var subscribers: [Int: Subscriber] = [:]
        var nextID = 0
        var stopped = false
    }

    let store: any EventStore
    /// Heartbeats, buffers, page sizes.
    public let configuration: LiveConfiguration
    let prepare: @Sendable (EventEnvelope) async -> Void
    let presence: PresenceStore?
    let clock: @Sendable () -> Date
    let logger: Logger
    let state = Mutex(State())

    /// A feed of `store`. `prepare` runs once per event before it is handed out (the server
    /// warms its project state cache there, so that streams checking access do not each read).
    /// With `presence`, every heartbeat tick reads who has each project with an open project
    /// stream open (one query per project, at `clock`'s time) and tells those streams when the
    /// set changed.
    public init(
        store: any EventStore, configuration: LiveConfiguration = LiveConfiguration(), logger: Logger, presence: PresenceStore? = nil,
        clock: @escaping @Sendable () -> Date = { Date() }, prepare: @escaping @Sendable (EventEnvelope) async -> Void = { _ in }
    ) {
        self.presence = presence
        self.clock = clock
        self.store = store
        self.configuration = configuration
        self.prepare = prepare
        self.logger = logger
    }

    /// How many subscriptions are open.
    public var subscriberCount: Int { state.withLock { $0.subscribers.count } }

    /// A subscription to `account`'s events after `position` (nil: from now on): first those
    /// already in the store, read in pages, then each new one as the feed hands it out, with
    /// nothing lost or repeated in between. With `project`, it also gets who has that project
    /// open whenever that changes (``LiveItem/presence(_:)``; the events are not narrowed to
    /// it). Throws ``LiveError`` `unavailable` once the feed has stopped.
    public func subscribe(account: UUID, project: UUID? = nil, after position: Int64?) async throws -> LiveSubscription {
        let head = try await store.headPosition()
        let (stream, continuation) = AsyncStream.makeStream(of: LiveItem.self, bufferingPolicy: .bufferingOldest(max(1, configuration.bufferCapacity)))
        let ending = LiveSubscription.Ending()
        let registered = state.withLock { s -> (id: Int, cursor: Int64)? in
            guard !s.stopped else { return nil }
            if s.cursor == nil { s.cursor = head }
            s.nextID += 1
            s.subscribers[s.nextID] = Subscriber(account: account, project: project, continuation: continuation, ended: ending)
            return (s.nextID, s.cursor!)
        }
        guard let registered else {
            continuation.finish()
            throw LiveError(.unavailable, "the server is stopping")
        }
        continuation.onTermination = { [weak self] _ in self?.remove(registered.id) }
        return LiveSubscription(
            store: store, account: account, project: project, after: position ?? registered.cursor, liveAfter: registered.cursor, pageSize: configuration.pageSize,
            items: stream, continuation: continuation, ending: ending)
    }

    private func remove(_ id: Int) { _ = state.withLock { $0.subscribers.removeValue(forKey: id) } }

    /// Follows the log and sends heartbeats until cancelled or graceful shutdown, then ends
    /// every subscription.
    public func run() async throws {
        let head = try await store.headPosition()
        let start = state.withLock { s -> Int64 in
            if s.cursor == nil { s.cursor = head }
            return s.cursor!
        }
        defer { stop() }
        await cancelWhenGracefulShutdown {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await self.sendHeartbeats() }
                group.addTask { await self.follow(after: start) }
                await group.next()
                group.cancelAll()
            }
        }
    }

    /// Ends every subscription and refuses new ones.
    func stop() {
        let ending = state.withLock { s -> [Subscriber] in
            s.stopped = true
            defer { s.subscribers = [:] }
            return Array(s.subscribers.values)
        }
        for subscriber in ending {
            subscriber.ended.set(.shutdown)
            subscriber.continuation.finish()
        }
    }

    private func sendHeartbeats() async {
        while !Task.isCancelled {
            do { try await Task.sleep(for: configuration.heartbeat) } catch { return }
            broadcast(nil)
            await tellPresence()
        }
    }

    /// Reads the log after `position`, page by page, as it commits; a failed read is logged
    /// and retried from the last event handed out.
    private func follow(after position: Int64) async {
        var cursor = position
        while !Task.isCancelled {
            do {
                for try await event in store.subscribe(after: cursor, pageSize: configuration.pageSize) {
                    // Only an event someone is subscribed to is worth preparing.
                    if state.withLock({ s in s.subscribers.values.contains { $0.account == event.accountID } }) { await prepare(event) }
                    broadcast(event)
                    cursor = event.position
                }
                return
            } catch is CancellationError {
                return
            } catch {
                logger.warning("live feed could not read the log; retrying", metadata: ["error": "\(error)", "event.position": "\(cursor)"])
                do { try await Task.sleep(for: .seconds(1)) } catch { return }
            }
        }
    }

    /// Reads who has each project with an open project stream open, and gives each such stream
    /// the set when it differs from the one it was last given.
    private func tellPresence() async {
        guard let presence, presence.isAvailable else { return }
        let projects = state.withLock { Set($0.subscribers.values.compactMap(\.project)) }
        for project in projects {
            guard let entries = try? await presence.present(project: project, now: clock(), ttl: configuration.presenceTTL) else { continue }
            let users = Set(entries.map(\.userID))
            let overflowed = state.withLock { s -> [Subscriber] in
                var overflowed: [Subscriber] = []
                for (id, subscriber) in s.subscribers where subscriber.project == project && subscriber.present != users {
                    s.subscribers[id]!.present = users
                    if case .dropped = subscriber.continuation.yield(.presence(entries)) {
                        s.subscribers[id] = nil
                        overflowed.append(subscriber)
                    }
                }
                return overflowed
            }
            end(overflowed)
        }
    }

    private func end(_ overflowed: [Subscriber]) {
        for subscriber in overflowed {
            subscriber.ended.set(.slowClient)
            subscriber.continuation.finish()
        }
    }

    /// Hands `event` to its account's subscriptions (a heartbeat to all when nil); a
    /// subscription whose buffer is full is ended.
    private func broadcast(_ event: EventEnvelope?) {
        let overflowed = state.withLock { s -> [Subscriber] in
            if let event { s.cursor = event.position }
            var overflowed: [Subscriber] = []
            for (id, subscriber) in s.subscribers where event == nil || subscriber.account == event!.accountID {
                if case .dropped = subscriber.continuation.yield(event.map(LiveItem.event) ?? .heartbeat) {
                    s.subscribers[id] = nil
                    overflowed.append(subscriber)
                }
            }
            return overflowed
        }
        end(overflowed)
        if !overflowed.isEmpty {
            logger.notice("live streams too far behind were ended", metadata: ["live.ended": "\(overflowed.count)"])
        }
    }
}
