import ApexDomain
import ApexStore
import Crypto
import Foundation

/// `coldstart`: seconds from spawning the server (``ServerProcess``) until `/readyz` answers, and
/// its resident memory then, on a store of ``BenchContext/coldStartEvents`` events against the
/// same on an empty store.
enum ColdStart {
    /// Events per append when filling the log.
    static let batch = 1_000
    /// Concurrent appenders filling the log, each on its own streams.
    static let fillers = 4

    static func run(_ kind: StoreKind, context: BenchContext) async throws -> ScenarioResult {
        try await BenchHarness.with(kind, context: context) { h in
            let secret = SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) }.base64EncodedString()
            let starts = context.quick ? 1 : 3
            let empty = try await measure(h.url, secret: secret, starts: starts)
            let clock = ContinuousClock()
            let t0 = clock.now
            try await fill(h.store, events: context.coldStartEvents, seed: context.seed)
            let buildSeconds = (clock.now - t0).seconds
            let full = try await measure(h.url, secret: secret, starts: starts)
            var result = ScenarioResult(
                id: "coldstart", title: "cold start to /readyz", store: kind, concurrency: 1,
                workload: "spawn `apex-bench serve` until /readyz answers 200, \(starts) start(s) each side",
                apex: SideReport(full.tally, memory: full.memory), raw: SideReport(empty.tally, memory: empty.memory), minRatio: nil)
            result.baseline = "cold start on an empty store"
            result.logEvents = context.coldStartEvents
            result.extra["seconds_to_ready"] = full.tally.latency.summary.map { $0.p50 / 1000 }
            result.extra["seconds_to_ready_empty"] = empty.tally.latency.summary.map { $0.p50 / 1000 }
            result.extra["rss_mb"] = full.memory.peakMB
            result.extra["rss_mb_empty"] = empty.memory.peakMB
            result.extra["build_seconds"] = buildSeconds
            result.extra["build_events_per_second"] = buildSeconds > 0 ? Double(context.coldStartEvents) / buildSeconds : 0
            return result
        }
    }

    /// `starts` cold starts, one after another: each a latency sample (the time to ready); the
    /// memory is the largest resident set of the server once ready.
    private static func measure(_ url: String, secret: String, starts: Int) async throws -> (tally: Tally, memory: MemoryUse) {
        var tally = Tally()
        var memory = MemoryUse(startMB: 0, peakMB: 0)
        for _ in 0..<starts {
            let (seconds, rss) = try await ServerProcess.with(storeURL: url, secret: secret) { server in
                (server.secondsToReady, server.memoryMB().rss)
            }
            tally.operations += 1
            tally.events += 1
            tally.elapsed += .seconds(seconds)
            tally.latency.record(.seconds(seconds))
            memory.peakMB = max(memory.peakMB, rss)
        }
        return (tally, memory)
    }

    /// Appends `events` audit events in batches of ``batch``, each batch a new stream, from
    /// ``fillers`` concurrent appenders.
    private static func fill(_ store: any EventStore, events: Int, seed: UInt64) async throws {
        let batches = (events + batch - 1) / batch
        try await withThrowingTaskGroup(of: Void.self) { group in
            for w in 0..<fillers {
                group.addTask {
                    var rng = SeededGenerator(seed: seed, scenario: "coldstart-fill", worker: w)
                    var generator = AuditEvents(account: rng.uuid(), user: rng.uuid(), rng: rng)
                    for b in stride(from: w, to: batches, by: fillers) {
                        let count = min(batch, events - b * batch)
                        _ = try await store.append(generator.next(count), to: StreamID(rawValue: "coldstart-\(b)"), expected: .noStream)
                    }
                }
            }
            try await group.waitForAll()
        }
    }
}
