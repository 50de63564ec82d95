import ApexDomain
import ApexStore

extension BundleVerifier {
    /// Version 2: each event's inclusion proof in the tree of a checkpoint of the bundle, and a
    /// consistency proof between each pair of consecutive checkpoints. The leaf is the event's
    /// hash as the bundle records it (which ``checkEvents`` recomputed from its content).
    mutating func checkProofs(_ top: [String: JSONValue], events: [EventEnvelope?], checkpoints: [Checkpoint?]) {
        guard case .array(let inclusion)? = top["inclusion"], case .array(let consistency)? = top["consistency"] else {
            fail("bundle_format", "inclusion or consistency is missing or of the wrong kind")
            return
        }
        // By tree size; a root that is not a hash (its signature fails too) proves nothing.
        var roots: [Int64: MerkleHash?] = [:]
        for c in checkpoints.compactMap({ $0 }) { roots[c.position] = .some(MerkleHash(hex: c.digest)) }
        if inclusion.count != events.count {
            fail("inclusion_proof", "the bundle has \(events.count) events but \(inclusion.count) inclusion proofs")
        }
        for (event, proof) in zip(events, inclusion) {
            guard let event else { continue }
            let (v, p) = (event.version, event.position)
            guard AuditBundle.integer("position", in: proof) == p, let size = AuditBundle.integer("tree_size", in: proof),
                let path = AuditBundle.path(proof["path"], limit: 64), proof.objectValue?.count == 3
            else {
                fail("inclusion_proof", version: v, position: p, "the inclusion proof is malformed or names another position")
                continue
            }
            guard let entry = roots[size] else {
                fail("inclusion_proof", version: v, position: p, "no checkpoint of the bundle has tree size \(size)")
                continue
            }
            guard let root = entry else {
                fail("inclusion_proof", version: v, position: p, "the checkpoint at \(size) seals no valid Merkle root: it was altered")
                continue
            }
            result.inclusionProofsChecked += 1
            if !Merkle.verifyInclusion(leaf: Merkle.leaf(eventHash: event.hash), index: p - 1, size: size, proof: path, root: root) {
                fail("inclusion_proof", version: v, position: p,
                     "the event's hash at position \(p) is not in the log the checkpoint at \(size) sealed: the event or its proof was altered")
            }
        }
        if consistency.count != max(0, checkpoints.count - 1) {
            fail("consistency_proof", "the bundle has \(checkpoints.count) checkpoints but \(consistency.count) consistency proofs")
        }
        for (index, proof) in consistency.enumerated() where index + 1 < checkpoints.count {
            guard let old = checkpoints[index], let new = checkpoints[index + 1], let oldRoot = roots[old.position] ?? nil,
                let newRoot = roots[new.position] ?? nil
            else {
                fail("consistency_proof", "consistency proof \(index + 1) joins a checkpoint that does not decode or seals no valid root")
                continue
            }
            guard AuditBundle.integer("from", in: proof) == old.position, AuditBundle.integer("to", in: proof) == new.position,
                let path = AuditBundle.path(proof["path"]), proof.objectValue?.count == 3
            else {
                fail("consistency_proof", position: new.position, "consistency proof \(index + 1) is malformed or names other checkpoints")
                continue
            }
            result.consistencyProofsChecked += 1
            if !Merkle.verifyConsistency(oldSize: old.position, newSize: new.position, oldRoot: oldRoot, newRoot: newRoot, proof: path) {
                fail("consistency_proof", position: new.position,
                     "the log the checkpoint at \(old.position) sealed is not a prefix of the one at \(new.position): a checkpoint or the proof was altered")
            }
        }
    }
}
