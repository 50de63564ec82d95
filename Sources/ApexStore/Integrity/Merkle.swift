import Crypto

/// The Merkle tree of RFC 6962 §2.1 (RFC 9162 §2.1) over SHA-256, as version 2 checkpoints
/// seal the global log: leaf `i` is the hash of the event at position `i + 1`.
///
/// - leaf hash: `SHA-256(0x00 ‖ event hash bytes)`
/// - node hash: `SHA-256(0x01 ‖ left ‖ right)`
/// - the head of the empty tree: `SHA-256("")`
/// - a tree of `n > 1` leaves splits at `k`, the largest power of two below `n`.
///
/// Verification follows RFC 9162 §2.1.3.2 (inclusion) and §2.1.4.2 (consistency) step by step.
/// Every input is untrusted: sizes and indices out of range, proofs too long or too short, are
/// a `false`, never a trap.
package enum Merkle {
    /// `MTH({})`.
    package static let emptyRoot = MerkleHash(SHA256.hash(data: [UInt8]()))

    /// The leaf hash of raw leaf bytes.
    package static func leaf(_ bytes: some Sequence<UInt8>) -> MerkleHash {
        var sha = SHA256()
        sha.update(data: [0x00] + Array(bytes))
        return MerkleHash(sha.finalize())
    }

    /// The leaf hash of an event whose hash is `eventHash`: its 32 bytes when it is 64 lowercase
    /// hex digits (always, for an event Apex wrote), otherwise the bytes of the text as it is.
    package static func leaf(eventHash: String) -> MerkleHash {
        if let raw = MerkleHash(hex: eventHash) { return raw.withUnsafeBytes { leaf($0) } }
        return leaf(Array(eventHash.utf8))
    }

    /// The hash of an inner node.
    package static func node(_ left: MerkleHash, _ right: MerkleHash) -> MerkleHash {
        var sha = SHA256()
        sha.update(data: [0x01])
        left.withUnsafeBytes { sha.update(bufferPointer: $0) }
        right.withUnsafeBytes { sha.update(bufferPointer: $0) }
        return MerkleHash(sha.finalize())
    }

    /// `MTH(D[n])` of leaf hashes, by the definition (linear; for tests and small trees).
    package static func root(_ leaves: ArraySlice<MerkleHash>) -> MerkleHash {
        switch leaves.count {
        case 0: return emptyRoot
        case 1: return leaves.first!
        default:
            let k = largestPowerOfTwo(below: leaves.count)
            let start = leaves.startIndex
            return node(root(leaves[start..<start + k]), root(leaves[(start + k)...]))
        }
    }

    /// The largest power of two strictly below `n` (`n > 1`).
    package static func largestPowerOfTwo<I: FixedWidthInteger>(below n: I) -> I {
        var k: I = 1
        while k << 1 < n { k <<= 1 }
        return k
    }

    /// Whether `proof` shows that `leaf` is leaf `index` of the tree of `size` leaves whose head
    /// is `root` (RFC 9162 §2.1.3.2).
    package static func verifyInclusion(leaf: MerkleHash, index: Int64, size: Int64, proof: [MerkleHash], root: MerkleHash) -> Bool {
        guard index >= 0, index < size, proof.count <= 64 else { return false }
        var fn = index, sn = size - 1, r = leaf
        for p in proof {
            if sn == 0 { return false }
            if fn & 1 == 1 || fn == sn {
                r = node(p, r)
                if fn & 1 == 0 {
                    while fn & 1 == 0 && fn != 0 {
                        fn >>= 1
                        sn >>= 1
                    }
                }
            } else {
                r = node(r, p)
            }
            fn >>= 1
            sn >>= 1
        }
        return sn == 0 && r == root
    }

    /// Whether `proof` shows that the tree of `oldSize` leaves with head `oldRoot` is a prefix
    /// of the tree of `newSize` leaves with head `newRoot` (RFC 9162 §2.1.4.2). Equal sizes need
    /// an empty proof and equal heads; a tree of size 0 is a prefix of any tree.
    package static func verifyConsistency(
        oldSize: Int64, newSize: Int64, oldRoot: MerkleHash, newRoot: MerkleHash, proof: [MerkleHash]
    ) -> Bool {
        guard oldSize >= 0, oldSize <= newSize, proof.count <= 128 else { return false }
        if oldSize == newSize { return proof.isEmpty && oldRoot == newRoot }
        if oldSize == 0 { return proof.isEmpty && oldRoot == emptyRoot }
        guard !proof.isEmpty else { return false }
        var path = proof
        if oldSize & (oldSize - 1) == 0 { path.insert(oldRoot, at: 0) }
        var fn = oldSize - 1, sn = newSize - 1
        while fn & 1 == 1 {
            fn >>= 1
            sn >>= 1
        }
        var fr = path[0], sr = path[0]
        for c in path.dropFirst() {
            if sn == 0 { return false }
            if fn & 1 == 1 || fn == sn {
                fr = node(c, fr)
                sr = node(c, sr)
                if fn & 1 == 0 {
                    while fn & 1 == 0 && fn != 0 {
                        fn >>= 1
                        sn >>= 1
                    }
                }
            } else {
                sr = node(sr, c)
            }
            fn >>= 1
            sn >>= 1
        }
        return fr == oldRoot && sr == newRoot && sn == 0
    }
}
