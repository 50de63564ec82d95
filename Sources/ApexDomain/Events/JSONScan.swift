/// Where a run of JSON string content that needs no escape ends, found eight bytes at a time:
/// strings are most of the bytes a read checks and parses (descriptions, sealed values), and
/// only a quote, a backslash or a control character ends a run.
package enum JSONScan {
    /// The index of the first byte at or after `start` that is a quote, a backslash or below
    /// 0x20; `bytes.count` when there is none.
    package static func plainRunEnd(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Int {
        var i = start
        if let base = bytes.baseAddress {
            let raw = UnsafeRawPointer(base)
            while i + 8 <= bytes.count {
                if mayEndRun(raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)) {
                    for j in i..<i + 8 where endsRun(bytes[j]) { return j }
                }
                i += 8
            }
        }
        while i < bytes.count, !endsRun(bytes[i]) { i += 1 }
        return i
    }

    /// Whether `byte` ends a run.
    @inline(__always)
    static func endsRun(_ byte: UInt8) -> Bool { byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") || byte < 0x20 }

    /// False only when none of the word's eight bytes ends a run (the bit tricks for "has a
    /// zero byte" and "has a byte less than n", n ≤ 128; a true answer is checked byte by byte).
    @inline(__always)
    static func mayEndRun(_ word: UInt64) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        func hasZeroByte(_ x: UInt64) -> Bool { (x &- ones) & ~x & highs != 0 }
        return hasZeroByte(word ^ (ones &* 0x22)) || hasZeroByte(word ^ (ones &* 0x5C)) || (word &- ones &* 0x20) & ~word & highs != 0
    }
}
