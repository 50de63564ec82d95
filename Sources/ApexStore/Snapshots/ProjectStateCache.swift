public import ApexDomain
public import Foundation
public import Logging

/// Project states kept in memory, within a budget of bytes, the least recently used evicted first.
///
/// One mechanism for everything that needs a project as it now stands: the server's requests,
/// the search index and the file consumers each keep one. ``load(_:from:)`` catches a held state
/// up from the store on every call (reading only the events after its version), so a write made
/// by another server instance is seen at once; the cache makes that read cost what is new, not
/// what is old. The
/// store read happens outside the actor, so loads of different projects (and of one) never wait
/// for each other here; a state is stored back only if it is newer than the one already held.
///
/// A miss starts from the project's persisted snapshot (``StateSnapshot``), when the store keeps
/// one of this build's domain version whose state hashes to its recorded hash, and catches up
/// from its version (see ``load(_:from:)``).
///
/// Sizes are estimates, not measurements: ``estimatedSize(_:)`` counts a fixed overhead, the
/// length of the project's fields as JSON, and a fixed amount per calculation revision (with its
/// inputs and outputs, counted on the latest revision) and approval (the parts that grow with a
/// project's life).
public actor ProjectStateCache {
    private struct Entry {
        var state: ProjectState
        /// The version of the newest snapshot this process knows the store keeps.
        var snapshotVersion: Int64
        var size: Int
        var lastUse: UInt64
        /// The state hash of the project at a version (the held one or, after a write, the next).
        var hash: (version: Int64, value: String)?
        /// The record hashes of the last state hashed.
        var memo = StateHashMemo()
    }

    /// Events read in the first query of a catch-up; more are folded page by page.
    static let firstRead = 500

    /// The budget in bytes; 0 keeps nothing.
    public let budget: Int
    /// A load that finds the state this many events or more past its snapshot writes a new one; 0 never does.
    public let snapshotInterval: Int64
    private let logger: Logger
    private var entries: [UUID: Entry] = [:]
    private var used = 0
    private var clock: UInt64 = 0

    /// A cache of at most `budget` estimated bytes of states; with a `snapshotInterval`, loads
    /// write a snapshot every that many events of a project (0: loads never write one).
    public init(budget: Int, snapshotInterval: Int = 0, logger: Logger = Logger(label: "apex.store.states")) {
        self.budget = max(0, budget)
        self.snapshotInterval = Int64(max(0, snapshotInterval))
        self.logger = logger
    }

    /// The state held for `id`, if any (marking it recently used).
    public func state(of id: UUID) -> ProjectState? { held(id)?.state }

    /// The state held for `id` and the version of its snapshot, if any (marking it recently used).
    private func held(_ id: UUID) -> (state: ProjectState, snapshotVersion: Int64)? {
        guard entries[id] != nil else { return nil }
        clock += 1
        entries[id]!.lastUse = clock
        return (entries[id]!.state, entries[id]!.snapshotVersion)
    }

    /// Keeps `state` for `id` unless a newer one is held, then evicts the least recently used
    /// states until the estimates fit the budget. A state larger than the whole budget is not kept.
    /// `snapshotVersion` is the version of the newest snapshot known to be kept.
    public func store(_ state: ProjectState, snapshotVersion: Int64 = 0, for id: UUID) {
        if let held = entries[id], held.state.version >= state.version {
            entries[id]!.snapshotVersion = max(held.snapshotVersion, snapshotVersion)
            return
        }
        let size = Self.estimatedSize(state)
        let known = max(entries[id]?.snapshotVersion ?? 0, snapshotVersion)
        let (hash, memo) = (entries[id]?.hash, entries[id]?.memo ?? StateHashMemo())
        if let old = entries.removeValue(forKey: id) { used -= old.size }
        guard size <= budget else { return }
        clock += 1
        entries[id] = Entry(state: state, snapshotVersion: known, size: size, lastUse: clock, hash: hash, memo: memo)
        used += size
        while used > budget, let oldest = entries.min(by: { $0.value.lastUse < $1.value.lastUse }) {
            entries[oldest.key] = nil
            used -= oldest.value.size
        }
    }

    /// The state hash of `state`, the project `id` at `state.version` (a project response's
    /// `Apex-State-Hash`): the one remembered for that version, else computed outside the actor
    /// and remembered while a state of `id` is held. A write hashes its new state once, reusing
    /// the hashes of the calculation and file records it did not change
    /// (``ProjectState/stateHash(memo:)``), and the reads after it reuse the whole hash: without
    /// both, every request on a long-lived project encoded every calculation revision it holds.
    /// A hash is a function of the stream up to a version, so whichever request computed it, it
    /// is the same.
    public nonisolated func stateHash(of state: ProjectState, id: UUID) async -> String {
        var memo: StateHashMemo
        switch await remembered(id, version: state.version) {
        case .hash(let known): return known
        case .memo(let held): memo = held
        }
        let hash = state.stateHash(memo: &memo)
        await remember(hash, memo: memo, version: state.version, id: id)
        return hash
    }

    private enum Remembered { case hash(String), memo(StateHashMemo) }

    private func remembered(_ id: UUID, version: Int64) -> Remembered {
        guard let entry = entries[id] else { return .memo(StateHashMemo()) }
        if let hash = entry.hash, hash.version == version { return .hash(hash.value) }
        return .memo(entry.memo)
    }

    private func remember(_ hash: String, memo: StateHashMemo, version: Int64, id: UUID) {
        guard entries[id] != nil, version >= entries[id]!.hash?.version ?? 0 else { return }
        entries[id]!.hash = (version, hash)
        entries[id]!.memo = memo
    }

    /// How many states are held and their estimated bytes (for tests).
    public var usage: (count: Int, bytes: Int) { (entries.count, used) }

    /// A cheap estimate of the memory a state takes, in bytes.
    public static func estimatedSize(_ state: ProjectState) -> Int {
        var size = 1024 + CanonicalJSON.bytes(state.fields.json).count
        for record in state.calculations.values {
            // Revisions of one calculation share its type, so the latest's inputs and outputs
            // stand for each one's: a long-lived project holds a hundred thousand revisions,
            // and this runs on every write.
            let values = record.revisions.last.map { $0.inputs.count + $0.outputs.count } ?? 0
            size += 256 + record.approvals.count * 512 + record.revisions.count * (512 + 64 * values)
        }
        return size
    }

    /// A project's current state (nil when its stream has no events): the held state, or on a
    /// miss the project's usable snapshot (else an empty state), caught up with the events after
    /// its version, read as stored (project state holds no personal data). The read happens
    /// outside the actor.
    ///
    /// When the state is ``snapshotInterval`` or more events past the newest snapshot this
    /// process knows of, a snapshot of it is written before the state is returned: one upsert
    /// every `snapshotInterval` events of a project, on the request that crossed the mark, so a
    /// cold process never folds more than that many (plus what arrived since). It is written
    /// inline rather than in a detached task, which would outlive the request unobserved; a
    /// failed write is logged and the load answers all the same (a snapshot is only a cache).
    public nonisolated func load(_ id: UUID, from store: any EventStore) async throws -> ProjectState? {
        let stream = StreamID.project(id)
        let cached = await held(id)
        var state = cached?.state ?? ProjectState()
        var snapshotVersion = cached?.snapshotVersion ?? 0
        if cached == nil, let snapshot = try await store.loadSnapshot(stream)?.projectState() {
            state = snapshot
            snapshotVersion = snapshot.version
        }
        let before = state.version
        // One query for most loads; a long catch-up (a cold project) is folded a page at a time.
        let first = try await store.readStream(stream, from: state.version + 1, limit: Self.firstRead, mode: .stored)
        try state.apply(contentsOf: first)
        if first.count == Self.firstRead {
            state = try await store.foldStream(stream, from: state.version + 1, into: state) { state, page in try state.apply(contentsOf: page) }
        }
        guard state.version > 0 else { return nil }
        let caughtUp = state.version > before
        if snapshotInterval > 0, state.version - snapshotVersion >= snapshotInterval {
            do {
                try await store.saveSnapshot(try StateSnapshot(project: state, stream: stream))
                snapshotVersion = state.version
            } catch {
                logger.warning(
                    "could not write a project snapshot; loads fold from the last one", metadata: ["event.stream": "\(stream)", "error": "\(error)"])
            }
        }
        if cached == nil || caughtUp { await self.store(state, snapshotVersion: snapshotVersion, for: id) }
        return state
    }
}
