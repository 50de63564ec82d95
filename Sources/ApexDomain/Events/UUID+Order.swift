public import Foundation

extension UUID {
    /// Whether `a` sorts before `b` in the order every list of records is written in: by their
    /// bytes, which is also the order of their text (``lowercased``). The same order as `<`,
    /// compared as two 64-bit words rather than byte by byte: a project's state hash, its
    /// encoding and its search documents sort hundreds of ids on every write.
    @inlinable
    public static func ordered(_ a: UUID, _ b: UUID) -> Bool {
        let (x, y) = (a.orderWords, b.orderWords)
        return x.0 != y.0 ? x.0 < y.0 : x.1 < y.1
    }

    /// The 16 bytes as two big-endian words.
    @usableFromInline
    var orderWords: (UInt64, UInt64) {
        withUnsafeBytes(of: uuid) { bytes in
            (UInt64(bigEndian: bytes.loadUnaligned(as: UInt64.self)), UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: 8, as: UInt64.self)))
        }
    }
}

extension Dictionary where Key == UUID {
    /// The keys in ``UUID/ordered(_:_:)`` order. (Copied into an array first: sorting the
    /// dictionary's keys view directly runs the generic, unspecialised sort.)
    @inlinable
    public var idsInOrder: [UUID] {
        var ids = Array(keys)
        ids.sort(by: UUID.ordered)
        return ids
    }

    /// The values in the order of their keys (``UUID/ordered(_:_:)``): sorts the ids alone, not
    /// the records with them.
    @inlinable
    public var valuesInIDOrder: [Value] { idsInOrder.map { self[$0]! } }
}
