import ApexDomain
package import Crypto

/// One node of the log's Merkle tree: 32 bytes, held inline (no allocation per hash).
package struct MerkleHash: Sendable, Hashable, CustomStringConvertible {
    private var words: (UInt64, UInt64, UInt64, UInt64)

    /// The hash that is `digest`.
    package init(_ digest: SHA256.Digest) {
        words = (0, 0, 0, 0)
        digest.withUnsafeBytes { source in Swift.withUnsafeMutableBytes(of: &words) { $0.copyMemory(from: source) } }
    }

    /// The hash whose bytes are `bytes`; nil unless there are exactly 32.
    package init?(bytes: some Collection<UInt8>) {
        guard bytes.count == 32 else { return nil }
        words = (0, 0, 0, 0)
        Swift.withUnsafeMutableBytes(of: &words) { target in
            for (i, byte) in bytes.enumerated() { target[i] = byte }
        }
    }

    /// The hash written as 64 lowercase hex digits; nil for any other text (a bundle is
    /// untrusted, so only the one canonical spelling is read).
    package init?(hex: String) {
        let utf8 = Array(hex.utf8)
        guard utf8.count == 64 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(32)
        for i in stride(from: 0, to: 64, by: 2) {
            guard let high = Self.nibble(utf8[i]), let low = Self.nibble(utf8[i + 1]) else { return nil }
            bytes.append(high << 4 | low)
        }
        self.init(bytes: bytes)
    }

    /// Calls `body` with the 32 bytes.
    package func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        var copy = words
        return try Swift.withUnsafeBytes(of: &copy) { try body($0) }
    }

    /// The 32 bytes.
    package var bytes: [UInt8] { withUnsafeBytes { Array($0) } }

    /// Lowercase hex.
    package var hex: String { EventHash.hex(bytes) }

    /// Lowercase hex.
    package var description: String { hex }

    package static func == (a: MerkleHash, b: MerkleHash) -> Bool {
        a.words.0 == b.words.0 && a.words.1 == b.words.1 && a.words.2 == b.words.2 && a.words.3 == b.words.3
    }

    package func hash(into hasher: inout Hasher) {
        hasher.combine(words.0)
        hasher.combine(words.1)
        hasher.combine(words.2)
        hasher.combine(words.3)
    }

    private static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
        default: nil
        }
    }
}
