import Foundation
import Logging

/// Sizes and settings of one run: `--quick` shrinks everything for a smoke run.
struct BenchContext: Sendable {
    var quick: Bool
    /// Events in the log for the catch-up and verify scenarios (also measured at a tenth of it).
    var events: Int
    var seed: UInt64
    /// How long each side of a throughput scenario runs, per round.
    var duration: Duration
    /// Rounds of raw-then-Apex per throughput scenario (added up).
    var rounds: Int
    /// Concurrent writers of the audit-log scenarios and of the multi-writer append.
    var writers: Int
    /// Concurrent HTTP clients (and direct callers).
    var clients: Int
    /// Streams of the audit-log workload.
    var streams: Int
    /// Events of the replayed project stream.
    var replayEvents: Int
    /// Events of the long project the scale scenarios compare with a 10-event one.
    var scaleEvents: Int
    /// Events in the log the cold start is measured on.
    var coldStartEvents: Int
    var workDirectory: String
    var postgres: PostgresTarget?
    var logger: Logger

    /// The catch-up and verify sizes: a tenth of ``events`` and ``events``, to show memory stays flat.
    var logSizes: [Int] { [max(1, events / 10), events] }

    static func make(
        quick: Bool, events: Int?, seed: UInt64, seconds: Double?, clients: Int?, scaleEvents: Int? = nil, coldStartEvents: Int? = nil,
        workDirectory: String?, postgres: PostgresTarget?, logger: Logger
    ) -> BenchContext {
        BenchContext(
            quick: quick, events: events ?? (quick ? 2_000 : 100_000), seed: seed,
            duration: .milliseconds(Int64(((seconds ?? (quick ? 0.3 : 5)) * 1000).rounded())), rounds: quick ? 1 : 2,
            writers: 16, clients: clients ?? (quick ? 4 : 16), streams: quick ? 2_000 : 20_000,
            replayEvents: quick ? 300 : 10_000, scaleEvents: scaleEvents ?? (quick ? 1_000 : 100_000),
            coldStartEvents: coldStartEvents ?? (quick ? 2_000 : 1_000_000), workDirectory: workDirectory ?? FileManager.default.temporaryDirectory.path,
            postgres: postgres, logger: logger)
    }
}

/// The targets the issue sets, as minimum ratios Apex/raw (or a latency ceiling).
enum Target: Codable, Sendable, CustomStringConvertible {
    case ratio(Double)
    case p99Below(milliseconds: Double)

    var description: String {
        switch self {
        case .ratio(let r): "≥\(r)"
        case .p99Below(let ms): "p99<\(Int(ms))ms"
        }
    }
}
