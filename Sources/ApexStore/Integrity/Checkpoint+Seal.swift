public import Crypto
public import Foundation

extension EventStore {
    /// Seals a signed version 2 checkpoint (a Merkle tree head, see ``Checkpoint``) at the
    /// current head. It continues from the last checkpoint's stored tree edge, so it reads and
    /// hashes only the events since (about two hashes per event); the first version 2
    /// checkpoint after version 1 ones (or an edge that does not fold to its signed root) reads
    /// the log from position 1 once, and may seal the position of the last version 1 one.
    /// Returns the last version 2 checkpoint unchanged when nothing was appended since.
    @discardableResult
    public func sealCheckpoint(signer: Curve25519.Signing.PrivateKey, now: Date = Date()) async throws -> Checkpoint? {
        let last = try await checkpoints().last { $0.version == 2 }
        let head = try await headPosition()
        if let last, head <= last.position { return last }
        guard head > 0 else { return nil }
        var frontier = last?.merkleFrontier ?? MerkleFrontier()
        try await forEachLeaf(after: frontier.size, through: head) { frontier.append($0) }
        let checkpoint = try Checkpoint.signed(frontier: frontier, createdAt: now, key: signer)
        try await insertCheckpoint(checkpoint)
        return checkpoint
    }

    /// The leaf hashes of positions 1 through `end`, to build proofs from (32 bytes each: a log
    /// of a million events is 32 MB). Throws when the log has a gap or ends before `end`.
    package func merkleLeaves(through end: Int64) async throws -> [MerkleHash] {
        var leaves: [MerkleHash] = []
        leaves.reserveCapacity(Int(clamping: end))
        try await forEachLeaf(after: 0, through: end) { leaves.append($0) }
        return leaves
    }

    /// Calls `body` with the leaf hash of every position after `start` through `end`, in order:
    /// hashes only, read a large page at a time.
    private func forEachLeaf(after start: Int64, through end: Int64, _ body: (MerkleHash) -> Void) async throws {
        try await forEachStoredHash(after: start, through: end) { body(Merkle.leaf(eventHash: $0.hash)) }
    }

    /// Calls `body` with every position after `start` through `end` and its stored hash, in
    /// order. Throws when the log has a gap or ends before `end`.
    package func forEachStoredHash(after start: Int64, through end: Int64, _ body: (PositionedHash) throws -> Void) async throws {
        var cursor = start
        while cursor < end {
            let page = try await storedHashes(after: cursor, limit: 10_000)
            for row in page where row.position <= end {
                guard row.position == cursor + 1 else {
                    throw EventStoreError(.integrityFailure, "the log skips from position \(cursor) to \(row.position): run apex-cli verify")
                }
                try body(row)
                cursor = row.position
            }
            guard let last = page.last, last.position < end else { break }
        }
        guard cursor == end else {
            throw EventStoreError(.integrityFailure, "the log ends at position \(cursor), before position \(end): run apex-cli verify")
        }
    }
}
