import ApexDomain
import ApexStore
import Foundation
import Testing

/// Persisted snapshots: one per stream, the newest kept, beside the log and not part of it; and
/// `verify` replays the log and names any snapshot that differs from it.
@Suite("Conformance: snapshots")
struct ConformanceSnapshotTests {
    /// A project's events as the decider writes them: created, then `updates` renames.
    static func projectEvents(_ id: UUID, updates: Int) throws -> [ProposedEvent] {
        let created = try ProjectDecider.decide(.create(projectID: id, fields: ProjectFields(name: "Pylon")), state: ProjectState(), context: DecisionContext(now: Date()))
        let renames = try (1...max(1, updates)).prefix(updates).map { n in try ProjectUpdated(changes: ["name": .string("Pylon \(n)")]).draft() }
        return (created + renames).map { $0.proposed(id: UUID(), accountID: Events.account, actor: .user(Events.user)) }
    }

    /// A project stream of `1 + updates` events, and its state replayed.
    static func project(_ store: any EventStore, updates: Int) async throws -> (stream: StreamID, state: ProjectState) {
        let id = UUID()
        _ = try await store.append(try projectEvents(id, updates: updates), to: .project(id), expected: .noStream)
        return (.project(id), try ProjectState.replay(try await store.readStream(.project(id), from: 1, limit: .max, mode: .stored)))
    }

    /// The state after the first `version` events of `stream`.
    static func state(_ store: any EventStore, _ stream: StreamID, at version: Int64) async throws -> ProjectState {
        try ProjectState.replay(try await store.readStream(stream, from: 1, limit: Int(version), mode: .stored))
    }

    /// A time every store keeps exactly (PostgreSQL keeps microseconds, which a `Date` may not round-trip).
    static let written = Date(timeIntervalSince1970: 1_800_000_000)

    /// A snapshot's fields, with its time.
    static func fields(_ s: StateSnapshot?) -> String? {
        s.map { "\($0.stream) v\($0.version) d\($0.domainVersion) e\($0.engineVersion) \($0.stateHash) \($0.state.count) \(Timestamp.format($0.createdAt))" }
    }

    @Test(arguments: StoreKind.allCases)
    func saveLoadAndUpsertKeepTheNewest(kind: StoreKind) async throws {
        try await Fixtures.withStore(kind) { f in
            let (stream, _) = try await Self.project(f.store, updates: 4)
            #expect(try await f.store.loadSnapshot(stream) == nil)
            let at3 = try StateSnapshot(project: try await Self.state(f.store, stream, at: 3), stream: stream, createdAt: Self.written)
            try await f.store.saveSnapshot(at3)
            #expect(Self.fields(try await f.store.loadSnapshot(stream)) == Self.fields(at3))
            #expect(try await f.store.loadSnapshot(stream)?.projectState() == (try await Self.state(f.store, stream, at: 3)))
            // An older version never replaces a newer one; a newer one does.
            try await f.store.saveSnapshot(try StateSnapshot(project: try await Self.state(f.store, stream, at: 2), stream: stream, createdAt: Self.written))
            #expect(try await f.store.loadSnapshot(stream)?.version == 3)
            let at5 = try StateSnapshot(project: try await Self.state(f.store, stream, at: 5), stream: stream, createdAt: Self.written)
            try await f.store.saveSnapshot(at5)
            #expect(Self.fields(try await f.store.loadSnapshot(stream)) == Self.fields(at5))
            // A later domain version replaces even a later stream version; an earlier one never does.
            var future = at3
            future.domainVersion = ProjectState.domainVersion + 1
            try await f.store.saveSnapshot(future)
            #expect(try await f.store.loadSnapshot(stream)?.domainVersion == ProjectState.domainVersion + 1)
            try await f.store.saveSnapshot(at5)
            #expect(try await f.store.loadSnapshot(stream)?.version == 3)
            // One a stream; deleting them all leaves the log as it was.
            let (other, _) = try await Self.project(f.store, updates: 1)
            try await f.store.saveSnapshot(try StateSnapshot(project: try await Self.state(f.store, other, at: 2), stream: other, createdAt: Self.written))
            #expect(Set(try await f.store.snapshots().map(\.stream)) == [stream, other])
            #expect(try await f.store.deleteSnapshots() == 2)
            #expect(try await f.store.snapshots().isEmpty)
            #expect(try await f.store.loadSnapshot(stream) == nil)
            #expect(try await f.store.headPosition() == 7)
            #expect(try await f.store.verify().ok)
        }
    }

    /// A snapshot of another domain version, or whose state does not hash to its recorded hash,
    /// gives no state to start from; `verify` does not check one of another domain version.
    @Test(arguments: StoreKind.allCases)
    func aSnapshotOfAnotherDomainVersionOrHashIsNotUsed(kind: StoreKind) async throws {
        try await Fixtures.withStore(kind) { f in
            let (stream, state) = try await Self.project(f.store, updates: 3)
            var good = try StateSnapshot(project: state, stream: stream)
            #expect(good.projectState() == state)
            var older = good
            older.domainVersion = ProjectState.domainVersion - 1
            #expect(older.projectState() == nil)
            var misrecorded = good
            misrecorded.stateHash = String(repeating: "0", count: 64)
            #expect(misrecorded.projectState() == nil)
            var unreadable = good
            unreadable.state = "{\"version\":"
            #expect(unreadable.projectState() == nil)
            // An older domain's state is whatever that build folded: not this build's to judge.
            var renamed = state
            renamed.fields.name = "Folded by an older build"
            good = try StateSnapshot(project: renamed, stream: stream)
            good.domainVersion = ProjectState.domainVersion + 7
            try await f.store.saveSnapshot(good)
            #expect(try await f.store.loadSnapshot(stream)?.projectState() == nil)
            #expect(try await f.store.verify().ok)
        }
    }

    /// The done-when test: a snapshot whose state differs from the replay is named by `verify`
    /// (kind `snapshot_mismatch`, its stream and version), and fails the report without failing
    /// its stream; correct snapshots verify intact. On the SQL stores the wrong state is written
    /// into the table directly: snapshots have no append-only guard.
    @Test(arguments: StoreKind.allCases)
    func verifyNamesASnapshotThatDiffersFromTheReplay(kind: StoreKind) async throws {
        try await Fixtures.withStore(kind) { f in
            let (a, _) = try await Self.project(f.store, updates: 5)
            let (b, _) = try await Self.project(f.store, updates: 2)
            _ = try await f.store.append(Events.notes(2), to: StreamID(rawValue: "notes"), expected: .noStream)
            try await f.store.saveSnapshot(try StateSnapshot(project: try await Self.state(f.store, a, at: 4), stream: a))
            try await f.store.saveSnapshot(try StateSnapshot(project: try await Self.state(f.store, b, at: 3), stream: b))
            let intact = try await f.store.verify()
            #expect(intact.ok, "\(intact.failures)")

            // A state that differs from the replay at the snapshot's version, hashed consistently.
            var wrong = try await Self.state(f.store, a, at: 4)
            wrong.fields.name = "Not what the events say"
            let forged = try StateSnapshot(project: wrong, stream: a)
            if kind == .memory {
                try await f.store.saveSnapshot(forged)
            } else {
                let text = forged.state.replacingOccurrences(of: "'", with: "''")
                try await f.execute("UPDATE snapshots SET state = '\(text)', state_hash = '\(forged.stateHash)' WHERE stream_id = '\(a.rawValue)'")
            }
            // The right state under a wrong recorded hash is named too.
            var misrecorded = try StateSnapshot(project: try await Self.state(f.store, b, at: 3), stream: b)
            misrecorded.stateHash = String(repeating: "e", count: 64)
            try await f.store.saveSnapshot(misrecorded)

            let report = try await f.store.verify()
            #expect(!report.ok)
            #expect(report.failureCount == 2)
            #expect(report.streamsFailed == 0)
            #expect(report.failures.map { "\($0.kind)@\($0.stream ?? "-")#\($0.version ?? 0)" } == [
                "snapshot_mismatch@\(a.rawValue)#4", "snapshot_mismatch@\(b.rawValue)#3",
            ])
            #expect(report.failures.allSatisfy { $0.isSnapshotFailure })
            #expect(report.failures[0].message.contains("replay"), "\(report.failures[0])")

            // A snapshot beyond the end of its stream is named at the end of the walk.
            var ahead = try StateSnapshot(project: try await Self.state(f.store, b, at: 3), stream: b)
            ahead.version = 9
            try await f.store.saveSnapshot(ahead)
            let beyond = try await f.store.verify()
            #expect(beyond.failures.last?.kind == "snapshot_mismatch" && beyond.failures.last?.stream == b.rawValue, "\(beyond.failures)")

            // Dropped, the store verifies intact again.
            #expect(try await f.store.deleteSnapshots() == 2)
            #expect(try await f.store.verify().ok)
        }
    }
}
