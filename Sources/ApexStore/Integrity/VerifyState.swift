import ApexDomain
import Foundation

/// The verifier's running state: pure, one event at a time. A failure is recorded and the walk
/// goes on from what the row holds, so each later row is judged on its own: one broken row
/// never hides another.
struct VerifyState {
    let scope: VerifyReport.Scope
    var heads: [StreamID: StreamHead] = [:]
    var digest = GlobalDigest()
    var tree = MerkleFrontier()
    var lastPosition: Int64 = 0
    var events: Int64 = 0
    var checkpoints: [Checkpoint]
    /// The last position a version 1 (digest) and a version 2 (Merkle) checkpoint covers: past
    /// them, nothing compares the digest or the tree, so neither is computed.
    let digestNeededThrough: Int64
    let treeNeededThrough: Int64
    var nextCheckpoint = 0
    var checkpointsChecked = 0
    var checkpointsFailed = 0
    var failures: [VerifyFailure] = []
    var failureCount: Int64 = 0
    var failedStreams: Set<String> = []
    let maximumFailures: Int
    let trusted: String?
    let inspect: (@Sendable (EventEnvelope) throws -> Void)?
    /// The persisted snapshots to compare with the replay (the whole store's verify only).
    var snapshots: SnapshotCheck?
    /// An account's events, position and stored hash, in order: the leaves whose inclusion in
    /// the signed checkpoints an account's verify proves (``EventStore/verify(account:options:progress:)``).
    var accountLeaves: [PositionedHash] = []

    init(
        scope: VerifyReport.Scope, checkpoints: [Checkpoint], trusted: String?, inspect: (@Sendable (EventEnvelope) throws -> Void)?,
        maximumFailures: Int, snapshots: SnapshotCheck? = nil
    ) {
        self.scope = scope
        self.snapshots = snapshots
        self.checkpoints = checkpoints.sorted { ($0.position, $0.version) < ($1.position, $1.version) }
        digestNeededThrough = checkpoints.filter { $0.version != 2 }.map(\.position).max() ?? 0
        treeNeededThrough = checkpoints.filter { $0.version == 2 }.map(\.position).max() ?? 0
        self.trusted = trusted
        self.inspect = inspect
        self.maximumFailures = max(0, maximumFailures)
    }

    var report: VerifyReport {
        VerifyReport(
            scope: scope, eventsChecked: events, streamsChecked: heads.count, checkpointsChecked: checkpointsChecked, failureCount: failureCount,
            streamsFailed: failedStreams.count, checkpointsFailed: checkpointsFailed, failures: failures)
    }

    mutating func record(_ failure: VerifyFailure) {
        failureCount += 1
        if failures.count < maximumFailures { failures.append(failure) }
        // A snapshot that differs is a cache out of step, not a failure of its stream's log.
        if let stream = failure.stream, !failure.isSnapshotFailure { failedStreams.insert(stream) }
    }

    /// Checks one stored row, given whether it hashes as stored
    /// (``EnvelopeColumns/hashesAsStored``). Any other row is decoded and its canonical form
    /// hashed (a text that is valid but not canonical keeps its meaning and passes, as it always
    /// did; one that does not decode is a `hash_mismatch`).
    mutating func check(_ row: EnvelopeColumns, hashesAsStored: Bool) {
        let stream = StreamID(rawValue: row.stream)
        func fail(_ kind: String, _ message: String) {
            record(VerifyFailure(kind: kind, stream: row.stream, version: row.version, position: row.position, message: message))
        }
        if scope == .store {
            // Checkpoints before this row are judged on the log up to the row before it.
            checkCheckpoints { $0 < row.position }
            if row.position != lastPosition + 1 {
                fail("position_gap", "expected position \(lastPosition + 1) next, found \(row.position): events are missing")
            }
        }
        let head = heads[stream]
        let expectedPrev = head?.hash ?? EventHash.genesis
        if row.version != (head?.version ?? 0) + 1 {
            fail("version_gap", "expected version \((head?.version ?? 0) + 1) of the stream, found \(row.version)")
        } else if row.prevHash != expectedPrev {
            fail("chain_broken", "prev_hash is \(row.prevHash.prefix(12))…, the previous event's hash is \(expectedPrev.prefix(12))…")
        }
        var envelope: EventEnvelope?
        if !hashesAsStored {
            if let decoded = try? row.envelope() {
                let recomputed = EventHash.compute(decoded, prevHash: row.prevHash)
                if recomputed != row.hash {
                    fail("hash_mismatch", "stored hash \(row.hash.prefix(12))… but the content hashes to \(recomputed.prefix(12))…: the event was altered")
                }
                envelope = decoded
            } else {
                fail("hash_mismatch", "the stored row does not hash to its hash and does not decode: the event was altered")
            }
        }
        // Replayed as stored, altered or not (a row that does not decode cannot be); decoded once.
        var decoded = envelope.map { Result<EventEnvelope, any Error>.success($0) }
        if let inspect, hashesAsStored || envelope != nil {
            decoded = decoded ?? Result { try row.envelope() }
            do { try inspect(try decoded!.get()) } catch { fail("replay_failed", "the event does not replay: \(error)") }
        }
        if snapshots?.wants(stream) == true {
            if hashesAsStored || envelope != nil { decoded = decoded ?? Result { try row.envelope() } }
            if let failure = snapshots?.fold(try? decoded?.get(), stream: stream, version: row.version) { record(failure) }
        }
        // The walk goes on from what is stored, so the next row is judged against this one.
        heads[stream] = StreamHead(version: row.version, hash: row.hash)
        if scope == .account { accountLeaves.append(PositionedHash(position: row.position, hash: row.hash)) }
        if scope == .store {
            // Version 1 checkpoints compare the digest, version 2 ones the tree; each only up to
            // the last checkpoint of its kind. Both seal the hash as stored.
            if row.position <= digestNeededThrough {
                digest.add(position: row.position, stream: row.stream, version: row.version, hash: row.hash)
            }
            if row.position <= treeNeededThrough { tree.append(Merkle.leaf(eventHash: row.hash)) }
            lastPosition = row.position
            checkCheckpoints { $0 == row.position }
        }
        events += 1
    }

    /// Checks the next checkpoints while their position satisfies `due`.
    private mutating func checkCheckpoints(while due: (Int64) -> Bool) {
        while nextCheckpoint < checkpoints.count, due(checkpoints[nextCheckpoint].position) {
            checkCheckpoint(checkpoints[nextCheckpoint])
            nextCheckpoint += 1
        }
    }

    /// Counts a checkpoint an account's verify checked, failed or not.
    mutating func countCheckpoint(failed: Bool) {
        checkpointsChecked += 1
        if failed { checkpointsFailed += 1 }
    }

    /// Checks one checkpoint against the log up to it: a version 2 one against the head of the
    /// Merkle tree over the events' hashes, a version 1 one against the running digest. A
    /// checkpoint that is genuine (its signature verifies) then becomes the starting point for
    /// the next one (its stored tree edge, when that folds to its signed root; its digest), so
    /// each checkpoint is judged on the events since the one before: an altered event fails the
    /// checkpoint that covers it, not every later one.
    private mutating func checkCheckpoint(_ c: Checkpoint) {
        checkpointsChecked += 1
        let merkle = c.version == 2
        let computed = merkle ? tree.root.hex : digest.hex
        let matches = c.digest == computed
        let signed = c.hasValidSignature(trusting: trusted)
        if !matches {
            record(VerifyFailure(
                kind: "checkpoint_digest", position: c.position,
                message: merkle
                    ? "checkpoint sealed Merkle root \(c.digest.prefix(12))… but the log up to it hashes to \(computed.prefix(12))…"
                    : "checkpoint sealed digest \(c.digest.prefix(12))… but the log up to it digests to \(computed.prefix(12))…"))
        }
        if !signed {
            record(VerifyFailure(
                kind: "checkpoint_signature", position: c.position,
                message: trusted == nil ? "the signature does not verify" : "the signature does not verify with the trusted public key"))
        }
        if !matches || !signed { checkpointsFailed += 1 }
        guard signed, !matches else { return }
        if merkle {
            if let edge = c.merkleFrontier { tree = edge }
        } else {
            digest = GlobalDigest(continuingFrom: c.digest)
        }
    }

    /// After the last row: checkpoints beyond the end of the log, and the stream heads — all of
    /// them for the whole store, the streams seen for an account.
    mutating func finish(heads stored: [StreamID: StreamHead]) {
        // An account's verify checks checkpoints apart, on the leaves alone (checkInclusion).
        for c in checkpoints[nextCheckpoint...] where scope == .store {
            checkpointsChecked += 1
            checkpointsFailed += 1
            record(VerifyFailure(
                kind: "missing_events", position: c.position,
                message: "a checkpoint covers position \(c.position) but the log ends at \(lastPosition): events were deleted"))
        }
        nextCheckpoint = checkpoints.count
        let recorded = scope == .store ? stored : stored.filter { heads[$0.key] != nil }
        for (stream, head) in recorded.sorted(by: { $0.key < $1.key }) where heads[stream] != head {
            let seen = heads[stream]?.version ?? 0
            record(VerifyFailure(
                kind: "head_mismatch", stream: stream.rawValue, version: head.version,
                message: "the stream head records version \(head.version) but the log holds \(seen) events of it"))
        }
        for extra in heads.keys.sorted() where stored[extra] == nil {
            record(VerifyFailure(kind: "head_mismatch", stream: extra.rawValue, message: "the log holds a stream that has no head record"))
        }
        for failure in snapshots?.finish(heads: heads) ?? [] { record(failure) }
    }
}
