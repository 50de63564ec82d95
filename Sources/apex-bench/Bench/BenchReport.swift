import Foundation

/// One side of a scenario (Apex, or the raw baseline) as reported.
struct SideReport: Codable, Sendable {
    var eventsPerSecond: Double
    var operations: Int
    var events: Int
    var seconds: Double
    /// Per operation (one append, one request, one pass over the data).
    var latencyMs: LatencySummary?
    var memory: MemoryUse

    init(_ tally: Tally, memory: MemoryUse) {
        eventsPerSecond = tally.eventsPerSecond
        operations = tally.operations
        events = tally.events
        seconds = tally.elapsed.seconds
        latencyMs = tally.latency.summary
        self.memory = memory
    }
}

/// One scenario on one store: Apex against its raw baseline, measured in the same process.
struct ScenarioResult: Codable, Sendable {
    var id: String
    var title: String
    var store: StoreKind
    var concurrency: Int
    var workload: String
    /// What Apex is compared with: `raw SQL`, or `direct store call` for HTTP.
    var baseline = "raw SQL"
    /// Events in the log when measured (read scenarios).
    var logEvents: Int?
    var apex: SideReport
    var raw: SideReport
    /// Apex throughput / raw throughput.
    var ratio: Double
    var target: String?
    var targetMinRatio: Double?
    var met: Bool?
    /// Scenario-specific figures: subscriber lag, GET latency at half saturation, conflicts.
    var extra: [String: Double] = [:]
    var halfSaturationLatencyMs: LatencySummary?
    var notes: [String] = []

    init(id: String, title: String, store: StoreKind, concurrency: Int, workload: String, apex: SideReport, raw: SideReport, minRatio: Double?) {
        self.id = id
        self.title = title
        self.store = store
        self.concurrency = concurrency
        self.workload = workload
        self.apex = apex
        self.raw = raw
        ratio = raw.eventsPerSecond > 0 ? apex.eventsPerSecond / raw.eventsPerSecond : 0
        if let minRatio {
            target = "≥\(minRatio)"
            targetMinRatio = minRatio
            met = ratio >= minRatio
        }
    }
}

/// The whole run: machine, settings, results, and what was skipped.
struct BenchReport: Codable, Sendable {
    struct Options: Codable, Sendable {
        var quick: Bool
        var events: Int
        var seed: UInt64
        var secondsPerSide: Double
        var rounds: Int
        var writers: Int
        var clients: Int
        var streams: Int
        var replayEvents: Int
        var scaleEvents: Int
        var coldStartEvents: Int
        var storeKinds: [StoreKind]
        var groups: [String]
    }

    var tool = "apex-bench"
    var startedAt: String
    var finishedAt = ""
    var options: Options
    var machine: MachineInfo
    var loadAverageAtEnd: [Double] = []
    /// Settings of each store, as its connections report them.
    var stores: [String: [String: String]] = [:]
    var skipped: [String] = []
    /// Scenario groups that failed (each also noted in `skipped` with its error).
    var failed: [String] = []
    var scenarios: [ScenarioResult] = []

    func write(json path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        try encoder.encode(self).write(to: URL(fileURLWithPath: path))
    }
}

/// Runs a raw baseline and then Apex, `rounds` times, and adds up each side.
enum Comparison {
    static func measure(
        rounds: Int, raw: () async throws -> Tally, apex: () async throws -> Tally
    ) async throws -> (raw: SideReport, apex: SideReport) {
        var rawTotal = Tally(), apexTotal = Tally()
        var rawMemory = MemoryUse(startMB: 0, peakMB: 0), apexMemory = rawMemory
        for round in 0..<max(1, rounds) {
            let (r, rm) = try await MemoryUse.measure { try await raw() }
            let (a, am) = try await MemoryUse.measure { try await apex() }
            rawTotal.add(r)
            apexTotal.add(a)
            if round == 0 { (rawMemory, apexMemory) = (rm, am) }
            rawMemory.peakMB = max(rawMemory.peakMB, rm.peakMB)
            apexMemory.peakMB = max(apexMemory.peakMB, am.peakMB)
        }
        return (SideReport(rawTotal, memory: rawMemory), SideReport(apexTotal, memory: apexMemory))
    }
}
