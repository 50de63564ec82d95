import Foundation

/// SplitMix64: a small, fast generator whose sequence depends only on its seed, so every run
/// of the benchmark draws the same streams, payloads and ids.
struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    /// A generator for one worker of one scenario: raw and Apex sides use the same derivation,
    /// so both see the same sequence of streams.
    init(seed: UInt64, scenario: String, worker: Int) {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in scenario.utf8 {
            h = (h ^ UInt64(byte)) &* 0x100_0000_01b3
        }
        self.init(seed: seed ^ h ^ (UInt64(worker) &* 0x9e37_79b9_7f4a_7c15))
    }

    mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }

    /// A version-4-shaped UUID from the sequence.
    mutating func uuid() -> UUID {
        let a = next(), b = next()
        var bytes = [UInt8](repeating: 0, count: 16)
        for i in 0..<8 {
            bytes[i] = UInt8(truncatingIfNeeded: a >> (8 * UInt64(i)))
            bytes[8 + i] = UInt8(truncatingIfNeeded: b >> (8 * UInt64(i)))
        }
        bytes[6] = (bytes[6] & 0x0F) | 0x40
        bytes[8] = (bytes[8] & 0x3F) | 0x80
        return UUID(uuid: (
            bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
            bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]))
    }

    /// `count` characters of `[a-z0-9]`.
    mutating func text(_ count: Int) -> String {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789 ".utf8)
        var out = [UInt8]()
        out.reserveCapacity(count)
        for _ in 0..<count { out.append(alphabet[Int(next() % UInt64(alphabet.count))]) }
        return String(decoding: out, as: UTF8.self)
    }
}

/// How writers pick the stream of their next append, per the event-store-benchmark suite:
/// uniform over many small streams, or Zipf-distributed so that a few streams are hot.
enum StreamDistribution: Sendable, CustomStringConvertible {
    case uniform
    case zipf(exponent: Double)

    var description: String {
        switch self {
        case .uniform: "uniform"
        case .zipf(let s): "zipf(s=\(s))"
        }
    }
}

/// Draws stream indexes `0..<count` from a distribution.
struct StreamPicker: Sendable {
    let count: Int
    /// For Zipf: the cumulative probability of ranks `0...i`.
    private let cumulative: [Double]

    init(count: Int, distribution: StreamDistribution) {
        self.count = count
        switch distribution {
        case .uniform:
            cumulative = []
        case .zipf(let s):
            var weights = (1...count).map { 1.0 / pow(Double($0), s) }
            let total = weights.reduce(0, +)
            var running = 0.0
            for i in weights.indices {
                running += weights[i] / total
                weights[i] = running
            }
            cumulative = weights
        }
    }

    func next(_ rng: inout SeededGenerator) -> Int {
        guard !cumulative.isEmpty else { return Int(rng.next() % UInt64(count)) }
        let u = Double(rng.next() >> 11) / Double(1 << 53)
        var lo = 0, hi = cumulative.count - 1
        while lo < hi {
            let mid = (lo + hi) / 2
            if cumulative[mid] < u { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }

    /// The share of draws that land on the hottest stream.
    var hottestShare: Double { cumulative.first ?? 1.0 / Double(count) }
}
