/// The right edge of a growing Merkle tree: the heads of its perfect subtrees, largest first (one
/// per bit set in ``size``, so at most 64). Appending a leaf costs at most log2(n) node hashes
/// and the head is folded from the edge, so a checkpoint that continues from the last one's edge
/// hashes only what is new since.
package struct MerkleFrontier: Sendable, Hashable {
    /// Leaves so far.
    package private(set) var size: Int64 = 0
    /// The perfect subtrees' heads, left to right.
    package private(set) var hashes: [MerkleHash] = []

    /// The empty tree.
    package init() {}

    /// The edge of a tree of `size` leaves; nil when `hashes` cannot be one (one per bit of `size`).
    package init?(size: Int64, hashes: [MerkleHash]) {
        guard size >= 0, hashes.count == size.nonzeroBitCount else { return nil }
        self.size = size
        self.hashes = hashes
    }

    /// Adds the next leaf (its leaf hash).
    package mutating func append(_ leaf: MerkleHash) {
        var carry = leaf
        var s = size
        while s & 1 == 1 {
            carry = Merkle.node(hashes.removeLast(), carry)
            s >>= 1
        }
        hashes.append(carry)
        size += 1
    }

    /// `MTH` of the leaves so far.
    package var root: MerkleHash {
        guard var r = hashes.last else { return Merkle.emptyRoot }
        for h in hashes.dropLast().reversed() { r = Merkle.node(h, r) }
        return r
    }
}

/// Every perfect subtree of a list of leaves, kept to answer proofs for any prefix of it: about
/// two hashes per leaf (64 bytes), and each proof then costs O(log² n) lookups and hashes.
package struct MerkleTree: Sendable {
    /// `levels[k][i]` is the head of leaves `i·2^k ..< (i+1)·2^k`.
    private let levels: [[MerkleHash]]

    /// The tree over `leaves` (leaf hashes).
    package init(leaves: [MerkleHash]) {
        var levels = [leaves]
        while let last = levels.last, last.count >= 2 {
            levels.append(stride(from: 0, to: last.count - 1, by: 2).map { Merkle.node(last[$0], last[$0 + 1]) })
        }
        self.levels = levels
    }

    /// The leaves it holds.
    package var size: Int { levels[0].count }

    /// `MTH(D[0:n])`.
    package func root(size n: Int) -> MerkleHash { hash(0..<n) }

    /// `PATH(m, D[0:n])` (RFC 6962 §2.1.1): the audit path of leaf `m` in the tree of the first `n`.
    package func inclusionProof(index m: Int, size n: Int) -> [MerkleHash] {
        precondition(m >= 0 && m < n && n <= size, "leaf \(m) of a tree of \(n) (holding \(size))")
        return path(m, 0..<n)
    }

    /// `PROOF(m, D[0:n])` (RFC 6962 §2.1.2): that the first `m` leaves are a prefix of the first `n`.
    package func consistencyProof(from m: Int, to n: Int) -> [MerkleHash] {
        precondition(m >= 0 && m <= n && n <= size, "from \(m) to \(n) (holding \(size))")
        guard m > 0, m < n else { return [] }
        return subproof(m, 0..<n, complete: true)
    }

    private func path(_ m: Int, _ range: Range<Int>) -> [MerkleHash] {
        guard range.count > 1 else { return [] }
        let split = range.lowerBound + Merkle.largestPowerOfTwo(below: range.count)
        if m < split { return path(m, range.lowerBound..<split) + [hash(split..<range.upperBound)] }
        return path(m, split..<range.upperBound) + [hash(range.lowerBound..<split)]
    }

    private func subproof(_ m: Int, _ range: Range<Int>, complete: Bool) -> [MerkleHash] {
        if m == range.count { return complete ? [] : [hash(range)] }
        let k = Merkle.largestPowerOfTwo(below: range.count)
        let split = range.lowerBound + k
        if m <= k { return subproof(m, range.lowerBound..<split, complete: complete) + [hash(split..<range.upperBound)] }
        return subproof(m - k, split..<range.upperBound, complete: false) + [hash(range.lowerBound..<split)]
    }

    /// `MTH` of the leaves in `range`: a stored head when the range is a perfect aligned
    /// subtree, otherwise split as RFC 6962 does (whose left parts always are).
    private func hash(_ range: Range<Int>) -> MerkleHash {
        let n = range.count
        if n == 0 { return Merkle.emptyRoot }
        if n & (n - 1) == 0, range.lowerBound % n == 0 { return levels[n.trailingZeroBitCount][range.lowerBound / n] }
        let split = range.lowerBound + Merkle.largestPowerOfTwo(below: n)
        return Merkle.node(hash(range.lowerBound..<split), hash(split..<range.upperBound))
    }
}
