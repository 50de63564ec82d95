import ApexDomain
import ApexStore
import Foundation
import Synchronization

/// What a catch-up subscriber running during writes saw: how many events and how late.
struct SubscriberStats: Sendable {
    var events = 0
    /// From the event's recorded time to the subscriber holding it.
    var lag = LatencyRecorder()
    /// From the writers' end until the subscriber had read everything.
    var drain: Duration = .zero
    var caughtUp = true

    func figures(prefix: String = "subscriber") -> [String: Double] {
        var f: [String: Double] = ["\(prefix)_events": Double(events), "\(prefix)_drain_ms": drain.seconds * 1000]
        if let s = lag.summary {
            f["\(prefix)_lag_p50_ms"] = s.p50
            f["\(prefix)_lag_p99_ms"] = s.p99
        }
        return f
    }
}

/// Shared state between writers, the subscriber and the scenario: where the subscriber is, and
/// where it must get to once the writers are done.
final class SubscriberControl: Sendable {
    private struct State {
        var cursor: Int64 = 0
        var stopAt: Int64?
    }
    private let state = Mutex(State())

    var cursor: Int64 { state.withLock { $0.cursor } }
    var stopAt: Int64? { state.withLock { $0.stopAt } }
    func advance(to position: Int64) { state.withLock { $0.cursor = max($0.cursor, position) } }
    func stop(at position: Int64) { state.withLock { $0.stopAt = position } }
}

enum Subscribers {
    /// Runs `writers` while a subscriber reads every new event with `read`; returns the writers'
    /// tally and what the subscriber saw. `finalPosition` tells where the log ends after writing.
    static func during(
        from start: Int64, read: @escaping @Sendable (SubscriberControl) async throws -> SubscriberStats,
        finalPosition: () async throws -> Int64, writers: () async throws -> Tally
    ) async throws -> (Tally, SubscriberStats) {
        let control = SubscriberControl()
        control.advance(to: start)
        return try await withThrowingTaskGroup(of: SubscriberStats.self) { group in
            group.addTask { try await read(control) }
            let tally = try await writers()
            let end = try await finalPosition()
            control.stop(at: end)
            let clock = ContinuousClock()
            let t0 = clock.now
            while control.cursor < end, clock.now - t0 < .seconds(60) { try await Task.sleep(for: .milliseconds(5)) }
            let drain = clock.now - t0
            let caughtUp = control.cursor >= end
            group.cancelAll()
            var stats = try await group.next() ?? SubscriberStats()
            stats.drain = drain
            stats.caughtUp = caughtUp
            return (tally, stats)
        }
    }

    /// Apex's subscriber: ``EventStore/subscribe(after:pageSize:)``, catch-up then live.
    static func apex(_ store: any EventStore, after start: Int64) -> @Sendable (SubscriberControl) async throws -> SubscriberStats {
        { control in
            var stats = SubscriberStats()
            do {
                for try await event in store.subscribe(after: start) {
                    stats.lag.record(microseconds: lagMicroseconds(since: event.recordedAt))
                    stats.events += 1
                    control.advance(to: event.position)
                }
            } catch where Task.isCancelled {}
            return stats
        }
    }

    /// The raw baseline's subscriber: polls `raw_events` in position order every 2 ms.
    static func raw(_ raw: any RawBaseline, after start: Int64) -> @Sendable (SubscriberControl) async throws -> SubscriberStats {
        { control in
            var stats = SubscriberStats()
            var cursor = start
            do {
                while !Task.isCancelled {
                    let rows = try await raw.rows(after: cursor, limit: 500)
                    if rows.isEmpty {
                        if let stop = control.stopAt, cursor >= stop { break }
                        try await Task.sleep(for: .milliseconds(2))
                        continue
                    }
                    for row in rows {
                        if let time = Timestamp.parse(row.recordedAt) { stats.lag.record(microseconds: lagMicroseconds(since: time)) }
                        stats.events += 1
                        cursor = row.position
                    }
                    control.advance(to: cursor)
                }
            } catch where Task.isCancelled {}
            return stats
        }
    }

    static func lagMicroseconds(since date: Date) -> UInt64 {
        UInt64(max(0, Date().timeIntervalSince(date) * 1_000_000))
    }
}
