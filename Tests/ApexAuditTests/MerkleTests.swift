import ApexStore
import Crypto
import Foundation
import PropertyBased
import Testing

/// The RFC 6962 Merkle tree that version 2 checkpoints and bundle proofs use: the published
/// test vectors (transparency-dev/merkle `testonly/constants.go`: leaf inputs, node and root
/// hashes), then properties over random trees.
@Suite("Merkle tree (RFC 6962)")
struct MerkleTests {
    static let inputs = ["", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f"]
    static var leaves: [MerkleHash] { inputs.map { Merkle.leaf(bytes($0)) } }
    static let roots = [
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    ]
    // Node hashes of the 8-leaf tree: level 0 (leaves) 1, 4; level 1: 0, 1, 2, 3; level 2: 0, 1.
    static let l0n1 = "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7"
    static let l0n4 = "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"
    static let l1n0 = "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"
    static let l1n1 = "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"
    static let l1n2 = "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a"
    static let l1n3 = "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0"
    static let l2n0 = "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"
    static let l2n1 = "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"

    static func bytes(_ hex: String) -> [UInt8] {
        stride(from: 0, to: hex.count, by: 2).map { i in
            let start = hex.index(hex.startIndex, offsetBy: i)
            return UInt8(hex[start..<hex.index(start, offsetBy: 2)], radix: 16)!
        }
    }

    @Test func treeHeadsMatchThePublishedVectors() {
        let tree = MerkleTree(leaves: Self.leaves)
        var frontier = MerkleFrontier()
        for size in 0...8 {
            #expect(Merkle.root(Self.leaves[0..<size]).hex == Self.roots[size], "size \(size), by the definition")
            #expect(tree.root(size: size).hex == Self.roots[size], "size \(size), from the stored levels")
            #expect(frontier.root.hex == Self.roots[size], "size \(size), from the right edge")
            if size < 8 { frontier.append(Self.leaves[size]) }
        }
    }

    @Test(arguments: [
        (0, 8, [l0n1, l1n1, l2n1]), (5, 8, [l0n4, l1n3, l2n0]), (2, 3, [l1n0]), (6, 7, [l1n2, l2n0]), (0, 1, []),
    ])
    func inclusionProofsMatchThePublishedTree(index: Int, size: Int, expected: [String]) {
        let proof = MerkleTree(leaves: Self.leaves).inclusionProof(index: index, size: size)
        #expect(proof.map(\.hex) == expected)
        let root = MerkleHash(hex: Self.roots[size])!
        #expect(Merkle.verifyInclusion(leaf: Self.leaves[index], index: Int64(index), size: Int64(size), proof: proof, root: root))
    }

    @Test(arguments: [(1, 8, [l0n1, l1n1, l2n1]), (6, 8, [l1n2, l1n3, l2n0]), (2, 5, [l1n1, l0n4]), (4, 8, [l2n1])])
    func consistencyProofsMatchThePublishedTree(old: Int, new: Int, expected: [String]) {
        let proof = MerkleTree(leaves: Self.leaves).consistencyProof(from: old, to: new)
        #expect(proof.map(\.hex) == expected)
        #expect(Merkle.verifyConsistency(
            oldSize: Int64(old), newSize: Int64(new), oldRoot: MerkleHash(hex: Self.roots[old])!, newRoot: MerkleHash(hex: Self.roots[new])!, proof: proof))
    }

    /// Random trees of 1 to 70 leaves: every head agrees three ways, every inclusion proof of
    /// every leaf in every prefix verifies, and any flipped bit, other index or size fails.
    @Test func everyInclusionProofOfRandomTreesVerifiesAndNoAlteredOneDoes() async {
        await propertyCheck(count: 25, input: Gen.int(in: 1...70), Gen.int(in: 0...Int.max)) { n, seed in
            let leaves = Self.randomLeaves(n, seed: seed)
            let tree = MerkleTree(leaves: leaves)
            var frontier = MerkleFrontier()
            var rng = MutationRandom(seed: seed)
            for size in 1...n {
                frontier.append(leaves[size - 1])
                let root = tree.root(size: size)
                #expect(root == Merkle.root(leaves[0..<size]) && root == frontier.root)
                for index in 0..<size {
                    let proof = tree.inclusionProof(index: index, size: size)
                    let (i, s) = (Int64(index), Int64(size))
                    #expect(Merkle.verifyInclusion(leaf: leaves[index], index: i, size: s, proof: proof, root: root), "leaf \(index) of \(size)")
                    #expect(!Merkle.verifyInclusion(leaf: Self.flip(leaves[index], &rng), index: i, size: s, proof: proof, root: root))
                    #expect(!Merkle.verifyInclusion(leaf: leaves[index], index: i, size: s, proof: proof, root: Self.flip(root, &rng)))
                    if !proof.isEmpty {
                        var altered = proof
                        let k = rng.below(proof.count)
                        altered[k] = Self.flip(altered[k], &rng)
                        #expect(!Merkle.verifyInclusion(leaf: leaves[index], index: i, size: s, proof: altered, root: root))
                        #expect(!Merkle.verifyInclusion(leaf: leaves[index], index: i, size: s, proof: Array(proof.dropLast()), root: root))
                    }
                    #expect(!Merkle.verifyInclusion(leaf: leaves[index], index: i, size: s, proof: proof + [root], root: root))
                    if size > 1 {
                        let other = (index + 1 + rng.below(size - 1)) % size
                        #expect(!Merkle.verifyInclusion(leaf: leaves[index], index: Int64(other), size: s, proof: proof, root: root) || leaves[other] == leaves[index])
                    }
                }
            }
        }
    }

    /// Random trees: the consistency proof between every pair of sizes m <= n verifies, and a
    /// flipped bit in it or in either head, or other sizes, fail.
    @Test func everyConsistencyProofOfRandomTreesVerifiesAndNoAlteredOneDoes() async {
        await propertyCheck(count: 25, input: Gen.int(in: 1...70), Gen.int(in: 0...Int.max)) { n, seed in
            let leaves = Self.randomLeaves(n, seed: seed)
            let tree = MerkleTree(leaves: leaves)
            var rng = MutationRandom(seed: seed)
            for new in 1...n {
                let newRoot = tree.root(size: new)
                for old in 0...new {
                    let oldRoot = tree.root(size: old)
                    let proof = tree.consistencyProof(from: old, to: new)
                    let (m, s) = (Int64(old), Int64(new))
                    #expect(Merkle.verifyConsistency(oldSize: m, newSize: s, oldRoot: oldRoot, newRoot: newRoot, proof: proof), "\(old) to \(new)")
                    #expect(!Merkle.verifyConsistency(oldSize: m, newSize: s, oldRoot: Self.flip(oldRoot, &rng), newRoot: newRoot, proof: proof))
                    // Every tree extends the empty one: only a real prefix can be contradicted.
                    if old > 0 {
                        #expect(!Merkle.verifyConsistency(oldSize: m, newSize: s, oldRoot: oldRoot, newRoot: Self.flip(newRoot, &rng), proof: proof))
                    }
                    if !proof.isEmpty {
                        var altered = proof
                        let k = rng.below(proof.count)
                        altered[k] = Self.flip(altered[k], &rng)
                        #expect(!Merkle.verifyConsistency(oldSize: m, newSize: s, oldRoot: oldRoot, newRoot: newRoot, proof: altered))
                        #expect(!Merkle.verifyConsistency(oldSize: m, newSize: s, oldRoot: oldRoot, newRoot: newRoot, proof: Array(proof.dropLast())))
                    }
                    if old > 0 && old < new {
                        #expect(!Merkle.verifyConsistency(oldSize: m, newSize: s, oldRoot: oldRoot, newRoot: newRoot, proof: proof + [newRoot]))
                        #expect(!Merkle.verifyConsistency(oldSize: s, newSize: m, oldRoot: newRoot, newRoot: oldRoot, proof: proof))
                    }
                }
            }
        }
    }

    /// Sizes and indices no tree has are a `false`, never a trap.
    @Test func impossibleSizesAreRejectedNotTrapped() {
        let leaf = Self.leaves[0], root = MerkleHash(hex: Self.roots[1])!
        for (index, size) in [(-1, 1), (1, 1), (0, 0), (0, -5), (Int64.max, Int64.max), (Int64.min, Int64.max), (0, Int64.max)] as [(Int64, Int64)] {
            #expect(!Merkle.verifyInclusion(leaf: leaf, index: index, size: size, proof: [leaf], root: root))
        }
        #expect(!Merkle.verifyInclusion(leaf: leaf, index: 0, size: 1, proof: Array(repeating: leaf, count: 100_000), root: root))
        for (old, new) in [(-1, 1), (2, 1), (Int64.max, Int64.max - 1), (Int64.min, 0), (1, Int64.max)] as [(Int64, Int64)] {
            #expect(!Merkle.verifyConsistency(oldSize: old, newSize: new, oldRoot: root, newRoot: root, proof: [leaf]))
        }
        #expect(!Merkle.verifyConsistency(oldSize: 1, newSize: 2, oldRoot: root, newRoot: root, proof: Array(repeating: leaf, count: 100_000)))
        #expect(MerkleFrontier(size: 3, hashes: [leaf]) == nil)
        #expect(MerkleFrontier(size: -1, hashes: []) == nil)
        #expect(MerkleHash(hex: String(repeating: "A", count: 64)) == nil, "only lowercase hex is canonical")
        #expect(MerkleHash(hex: String(repeating: "0", count: 62)) == nil)
    }

    static func randomLeaves(_ n: Int, seed: Int) -> [MerkleHash] {
        (0..<n).map { i in Merkle.leaf(Array("\(seed)-\(i)".utf8)) }
    }

    static func flip(_ hash: MerkleHash, _ rng: inout MutationRandom) -> MerkleHash {
        var bytes = hash.bytes
        bytes[rng.below(32)] ^= UInt8(1 << rng.below(8))
        return MerkleHash(bytes: bytes)!
    }
}
