import ApexDomain
import Foundation

/// The project states the search consumer folded last, the least recently used dropped past
/// ``limit``: a project indexed again is caught up from its cached version, reading only the
/// events after it, so a write to a project with a long history costs the index what is new.
/// Streams are immutable, so a cached state stays true; it is only ever behind.
actor FoldedProjects {
    /// The most states kept.
    let limit: Int
    private var states: [UUID: (state: ProjectState, lastUse: UInt64)] = [:]
    private var clock: UInt64 = 0

    /// A cache of at most `limit` states.
    init(limit: Int = 256) {
        self.limit = max(0, limit)
    }

    /// The state last folded for `id`, if kept.
    func state(of id: UUID) -> ProjectState? {
        guard let held = states[id] else { return nil }
        clock += 1
        states[id]!.lastUse = clock
        return held.state
    }

    /// Keeps `state` for `id` unless a newer one is kept.
    func keep(_ state: ProjectState, for id: UUID) {
        guard limit > 0, (states[id]?.state.version ?? -1) < state.version else { return }
        clock += 1
        states[id] = (state, clock)
        if states.count > limit, let oldest = states.min(by: { $0.value.lastUse < $1.value.lastUse }) {
            states[oldest.key] = nil
        }
    }
}
