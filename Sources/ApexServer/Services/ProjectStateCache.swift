import ApexDomain
import ApexStore
import Foundation

/// Project states kept in memory, within a budget of bytes, the least recently used evicted first.
///
/// It holds states only: ``ApexAPI/loadProject(_:)`` catches a state up from the store on every
/// request (reading only the events after its version), so a write made by another server
/// instance is seen at once; the cache makes that read cost what is new, not what is old. The
/// store read happens outside the actor, so loads of different projects (and of one) never wait
/// for each other here; a state is stored back only if it is newer than the one already held.
///
/// Sizes are estimates, not measurements: ``estimatedSize(_:)`` counts a fixed overhead, the
/// length of the project's fields as JSON, and a fixed amount per calculation revision, input,
/// output and approval (the parts that grow with a project's life).
actor ProjectStateCache {
    private struct Entry {
        var state: ProjectState
        var size: Int
        var lastUse: UInt64
    }

    /// The budget in bytes; 0 keeps nothing.
    let budget: Int
    private var entries: [UUID: Entry] = [:]
    private var used = 0
    private var clock: UInt64 = 0

    init(budget: Int) { self.budget = max(0, budget) }

    /// The state held for `id`, if any (marking it recently used).
    func state(of id: UUID) -> ProjectState? {
        guard entries[id] != nil else { return nil }
        clock += 1
        entries[id]!.lastUse = clock
        return entries[id]!.state
    }

    /// Keeps `state` for `id` unless a newer one is held, then evicts the least recently used
    /// states until the estimates fit the budget. A state larger than the whole budget is not kept.
    func store(_ state: ProjectState, for id: UUID) {
        if let held = entries[id], held.state.version >= state.version { return }
        let size = Self.estimatedSize(state)
        if let old = entries.removeValue(forKey: id) { used -= old.size }
        guard size <= budget else { return }
        clock += 1
        entries[id] = Entry(state: state, size: size, lastUse: clock)
        used += size
        while used > budget, let oldest = entries.min(by: { $0.value.lastUse < $1.value.lastUse }) {
            entries[oldest.key] = nil
            used -= oldest.value.size
        }
    }

    /// How many states are held and their estimated bytes (for tests).
    var usage: (count: Int, bytes: Int) { (entries.count, used) }

    /// A cheap estimate of the memory a state takes, in bytes.
    static func estimatedSize(_ state: ProjectState) -> Int {
        var size = 1024 + CanonicalJSON.bytes(state.fields.json).count
        for record in state.calculations.values {
            size += 256 + record.approvals.count * 512
            for revision in record.revisions { size += 512 + 64 * (revision.inputs.count + revision.outputs.count) }
        }
        return size
    }
}
