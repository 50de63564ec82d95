import ApexDomain
import Foundation

/// The part of `verify` that checks persisted snapshots: each project stream with a snapshot of
/// this build's domain version is replayed from its first event up to the snapshot's version,
/// and the replayed state must hash to what the snapshot holds and records. A snapshot of
/// another domain version is not checked (no process starts from it). Pure: fed one event at a
/// time, in log order. Only the streams with a snapshot are replayed, and each only until its
/// snapshot's version, so memory grows with the snapshots still ahead.
struct SnapshotCheck {
    /// What a snapshot holds, kept without its state text.
    private struct Expected {
        var version: Int64
        var recordedHash: String
        /// The hash of the stored state, decoded; nil when it does not decode.
        var heldHash: String?
    }

    private var pending: [StreamID: Expected] = [:]
    private var replayed: [StreamID: ProjectState] = [:]

    init(_ snapshots: [StateSnapshot]) {
        for s in snapshots where s.domainVersion == ProjectState.domainVersion && s.stream.projectID != nil {
            pending[s.stream] = Expected(version: s.version, recordedHash: s.stateHash, heldHash: (try? s.decodedProjectState())?.stateHash)
        }
    }

    /// Whether `stream` is replayed (has a snapshot not yet reached).
    func wants(_ stream: StreamID) -> Bool { pending[stream] != nil }

    /// Folds one event of a stream ``wants(_:)`` says is replayed (nil: the row does not
    /// decode); returns the failure, if any, once the replay reaches the snapshot's version.
    mutating func fold(_ event: EventEnvelope?, stream: StreamID, version: Int64) -> VerifyFailure? {
        guard let expected = pending[stream] else { return nil }
        func failure(_ message: String) -> VerifyFailure {
            VerifyFailure(kind: "snapshot_mismatch", stream: stream.rawValue, version: expected.version, message: message)
        }
        // Taken out while folded, so the state is not copied on write.
        var state = replayed.removeValue(forKey: stream) ?? ProjectState()
        var replayError: String?
        if let event {
            do { try state.apply(event) } catch { replayError = "\(error)" }
        } else {
            replayError = "the event at version \(version) does not decode"
        }
        guard replayError != nil || state.version >= expected.version else {
            replayed[stream] = state
            return nil
        }
        pending[stream] = nil
        if let replayError { return failure("the stream does not replay to the snapshot's version: \(replayError)") }
        let hash = state.stateHash
        if expected.heldHash != hash {
            let held = expected.heldHash.map { "hashes to \($0.prefix(12))…" } ?? "does not decode"
            return failure("the snapshot's state \(held) but the replay to its version hashes to \(hash.prefix(12))…")
        }
        if expected.recordedHash != hash {
            return failure("the snapshot records state hash \(expected.recordedHash.prefix(12))… but its state and the replay hash to \(hash.prefix(12))…")
        }
        return nil
    }

    /// After the last event: the snapshots of streams the log never brought to their version.
    mutating func finish(heads: [StreamID: StreamHead]) -> [VerifyFailure] {
        defer {
            pending = [:]
            replayed = [:]
        }
        return pending.sorted { $0.key < $1.key }.map { entry in
            VerifyFailure(
                kind: "snapshot_mismatch", stream: entry.key.rawValue, version: entry.value.version,
                message: "a snapshot at version \(entry.value.version) but the log holds \(heads[entry.key]?.version ?? 0) events of the stream")
        }
    }
}
