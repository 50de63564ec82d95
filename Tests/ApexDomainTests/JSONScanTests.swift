import ApexDomain
import Testing

/// The eight-bytes-at-a-time scan must find exactly the byte a byte-by-byte scan finds.
@Suite("Finding the end of a plain run in JSON string content")
struct JSONScanTests {
    static func naive(_ bytes: [UInt8], from start: Int) -> Int {
        bytes[start...].firstIndex { $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") || $0 < 0x20 } ?? bytes.count
    }

    @Test func agreesWithAByteByByteScanForEveryByteAtEveryOffset() {
        // Each byte value, placed at each offset of a 24-byte run of plain bytes (ASCII and
        // UTF-8 continuation bytes alike), scanned from each start.
        for filler: UInt8 in [UInt8(ascii: "a"), 0x7F, 0x80, 0xC3, 0xFF, 0x21, 0x5B, 0x5D] {
            for value in 0...255 {
                for offset in 0..<24 {
                    var bytes = [UInt8](repeating: filler, count: 24)
                    bytes[offset] = UInt8(value)
                    for start in [0, 1, 7, 8, 9, offset] where start <= bytes.count {
                        let found = bytes.withUnsafeBufferPointer { JSONScan.plainRunEnd($0, from: start) }
                        #expect(found == Self.naive(bytes, from: start), "filler \(filler) byte \(value) at \(offset) from \(start)")
                    }
                }
            }
        }
    }

    @Test func agreesOnRandomTexts() {
        var rng = SystemRandomNumberGenerator()
        let alphabet: [UInt8] = Array("abc é\"\\\n\t\u{1}\u{1F}".utf8) + [0x20, 0x7F, 0x80, 0xBF]
        for _ in 0..<5_000 {
            let bytes = (0..<Int.random(in: 0...40, using: &rng)).map { _ in
                Int.random(in: 0..<10, using: &rng) == 0 ? alphabet.randomElement(using: &rng)! : UInt8(ascii: "x")
            }
            let start = Int.random(in: 0...bytes.count, using: &rng)
            let found = bytes.withUnsafeBufferPointer { JSONScan.plainRunEnd($0, from: start) }
            #expect(found == Self.naive(bytes, from: start), "\(bytes) from \(start)")
        }
    }
}
