import ApexDomain
import Foundation

extension EventStore {
    /// Proves an account's events (``VerifyState/accountLeaves``, checked already) are in the
    /// log that each later signed version 2 checkpoint seals: the Merkle tree is rebuilt from the
    /// stored hashes alone (32 bytes a position, no row is decoded) up to the last checkpoint, and
    /// each checkpoint that covers one of the account's events must verify with the trusted key
    /// and have the root the leaves give. The leaf at each of the account's positions must be the
    /// hash its own walk checked.
    ///
    /// A failure names the checkpoint's position and, for a leaf, the account's own event, never
    /// another account's: when the root differs the account learns that the store's sealed log
    /// changed somewhere before that position (which `apex-cli verify` names to the operator),
    /// and so that none of its events there can be proven. After a genuine checkpoint that fails,
    /// the tree continues from the edge it stored, so later checkpoints are judged on what came
    /// after it, as the whole store's verify does.
    ///
    /// The cost is one pass over the store's hashes up to the last checkpoint: about 32 MB and one
    /// SHA-256 of each for a million events. Events after the last checkpoint are not yet sealed.
    func checkInclusion(_ checker: inout VerifyState) async throws {
        let sealed = checker.checkpoints.filter { $0.version == 2 }
        guard let first = checker.accountLeaves.first, let last = sealed.last, first.position <= last.position else { return }
        let leaves = checker.accountLeaves
        var frontier = MerkleFrontier()
        var nextLeaf = 0
        var nextCheckpoint = 0
        var failures: [VerifyFailure] = []
        var results: [Bool] = []
        // The checkpoints before the account's first event do not cover it: they are skipped.
        while nextCheckpoint < sealed.count, sealed[nextCheckpoint].position < first.position { nextCheckpoint += 1 }
        let start = nextCheckpoint > 0 ? sealed[nextCheckpoint - 1] : nil
        if let start, start.hasValidSignature(trusting: checker.trusted), let edge = start.merkleFrontier, edge.root.hex == start.digest {
            frontier = edge
        }
        do {
            try await forEachStoredHash(after: frontier.size, through: last.position) { row in
                frontier.append(Merkle.leaf(eventHash: row.hash))
                if nextLeaf < leaves.count, leaves[nextLeaf].position == row.position {
                    if leaves[nextLeaf].hash != row.hash {
                        failures.append(VerifyFailure(
                            kind: "checkpoint_inclusion", position: row.position,
                            message: "the log's hash at position \(row.position) is not the account's event's hash"))
                    }
                    nextLeaf += 1
                }
                while nextCheckpoint < sealed.count, sealed[nextCheckpoint].position == row.position {
                    let c = sealed[nextCheckpoint]
                    nextCheckpoint += 1
                    let signed = c.hasValidSignature(trusting: checker.trusted)
                    let matches = frontier.root.hex == c.digest
                    results.append(signed && matches)
                    if !signed {
                        failures.append(VerifyFailure(
                            kind: "checkpoint_signature", position: c.position,
                            message: checker.trusted == nil ? "the signature does not verify" : "the signature does not verify with the trusted public key"))
                    }
                    if !matches {
                        failures.append(VerifyFailure(
                            kind: "checkpoint_inclusion", position: c.position,
                            message: "the store's log up to position \(c.position) no longer hashes to the root the checkpoint signed, "
                                + "so the account's events up to it cannot be proven; the operator's apex-cli verify names what changed"))
                        if signed, let edge = c.merkleFrontier, edge.root.hex == c.digest { frontier = edge }
                    }
                }
            }
        } catch let error as EventStoreError where error.code == .integrityFailure {
            failures.append(VerifyFailure(kind: "checkpoint_inclusion", message: "the store's checkpoints cannot be checked: \(error.message)"))
        }
        for ok in results { checker.countCheckpoint(failed: !ok) }
        for failure in failures { checker.record(failure) }
    }
}
