import Foundation

/// The human-readable output: the machine and settings first, then one row per scenario as it
/// finishes (progress goes to standard error).
struct BenchTable {
    private static let columns: [(String, Int)] = [
        ("scenario", 36), ("store", 8), ("conc", 4), ("log", 8), ("Apex/s", 10), ("base/s", 10), ("ratio", 6), ("target", 8),
        ("met", 4), ("Apex p50/p99 ms", 16), ("RSS MB", 7),
    ]

    func header(_ report: BenchReport, skipped: [String]) {
        let m = report.machine
        emit("apex-bench — \(report.startedAt)")
        emit("machine: \(m.cpuModel), \(m.processors) CPUs, \(m.memoryGigabytes) GiB, \(m.kernel)")
        emit("load average at start: \(m.loadAverage.map { String(format: "%.2f", $0) }.joined(separator: " ")) (shared machine; ratios in one run are what count)")
        emit("build: \(m.build)\(m.build == "debug" ? " (debug build: use `swift run -c release apex-bench` for figures)" : "")")
        emit("files: \(m.workDirectory) on \(m.filesystem)")
        let o = report.options
        emit(
            "options: seed \(o.seed), \(o.secondsPerSide) s per side × \(o.rounds) round(s), \(o.writers) writers, \(o.clients) HTTP clients, "
                + "\(o.streams) streams, log sizes \(o.events / 10) and \(o.events), replay stream \(o.replayEvents) events\(o.quick ? ", QUICK" : "")")
        for line in skipped { emit("NOTE \(line)") }
    }

    func settings(_ kind: StoreKind, _ settings: [String: String]) {
        let text = settings.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", ")
        emit("\(kind) settings: \(text)")
    }

    func progress(_ text: String) {
        FileHandle.standardError.write(Data("bench: \(text)\n".utf8))
    }

    func tableHeader() {
        emit("")
        emit(Self.line(Self.columns.map(\.0)))
        emit(String(repeating: "-", count: Self.columns.reduce(0) { $0 + $1.1 + 1 }))
    }

    func row(_ r: ScenarioResult) {
        let latency = r.apex.latencyMs.map { "\(Self.ms($0.p50))/\(Self.ms($0.p99))" } ?? "-"
        emit(Self.line([
            r.title, r.store.rawValue, "\(r.concurrency)", r.logEvents.map(Self.count) ?? "-", Self.count(Int(r.apex.eventsPerSecond.rounded())),
            Self.count(Int(r.raw.eventsPerSecond.rounded())), String(format: "%.2f", r.ratio), r.targetMinRatio.map { "≥\($0)" } ?? "-",
            r.met.map { $0 ? "yes" : "NO" } ?? "-", latency, String(format: "%.0f", r.apex.memory.peakMB),
        ]))
        if let l = r.halfSaturationLatencyMs {
            emit("    GET at half saturation (\(Int(r.extra["half_saturation_rate_per_s"] ?? 0))/s): p50 \(Self.ms(l.p50)) p95 \(Self.ms(l.p95)) p99 \(Self.ms(l.p99)) p99.9 \(Self.ms(l.p999)) ms — target p99 < 10 ms: \(r.met == true ? "met" : "MISSED")")
        }
        if let lag = r.extra["apex_subscriber_lag_p99_ms"] {
            let rawLag = r.extra["raw_subscriber_lag_p99_ms"].map { Self.ms($0) } ?? "-"
            emit("    subscriber lag p50/p99: Apex \(Self.ms(r.extra["apex_subscriber_lag_p50_ms"] ?? 0))/\(Self.ms(lag)) ms, raw poller p99 \(rawLag) ms")
        }
        if r.extra["seconds_to_ready"] != nil {
            let e = r.extra
            func f(_ key: String, _ format: String) -> String { String(format: format, e[key] ?? 0) }
            emit(
                "    ready in \(f("seconds_to_ready", "%.2f")) s, RSS \(f("rss_mb", "%.0f")) MB on \(Self.count(r.logEvents ?? 0)) events "
                    + "(empty store: \(f("seconds_to_ready_empty", "%.2f")) s, \(f("rss_mb_empty", "%.0f")) MB); "
                    + "log built in \(f("build_seconds", "%.0f")) s (\(f("build_events_per_second", "%.0f")) events/s)")
        }
        if let conflicts = r.extra["conflicts_409"] { emit("    409 conflicts: \(Int(conflicts))") }
        if let rss = r.extra["server_peak_rss_mb"] { emit(String(format: "    server peak RSS %.0f MB", rss)) }
        if r.baseline != "raw SQL" { emit("    baseline: \(r.baseline)") }
    }

    func failure(_ name: String, _ error: any Error) {
        emit("FAILED \(name): \(error)")
    }

    func footer(_ report: BenchReport) {
        let missed = report.scenarios.filter { $0.met == false }
        emit("")
        emit("load average at end: \(report.loadAverageAtEnd.map { String(format: "%.2f", $0) }.joined(separator: " "))")
        emit("\(report.scenarios.count) results, \(report.scenarios.filter { $0.met == true }.count) targets met, \(missed.count) missed\(missed.isEmpty ? "" : ": " + missed.map { "\($0.id) \($0.store)" }.joined(separator: ", "))")
        for line in report.skipped { emit("NOTE \(line)") }
    }

    /// One line to standard output, unbuffered: each row shows as it finishes, also in a file or pipe.
    private func emit(_ text: String) {
        FileHandle.standardOutput.write(Data((text + "\n").utf8))
    }

    private static func line(_ cells: [String]) -> String {
        zip(cells, columns).map { cell, column in
            cell.count >= column.1 ? String(cell.prefix(column.1)) : cell + String(repeating: " ", count: column.1 - cell.count)
        }.joined(separator: " ")
    }

    static func count(_ n: Int) -> String {
        if n >= 1_000_000 { return String(format: "%.1fM", Double(n) / 1_000_000) }
        if n >= 100_000 { return "\(n / 1000)k" }
        return "\(n)"
    }

    private static func ms(_ v: Double) -> String {
        v >= 100 ? String(format: "%.0f", v) : v >= 10 ? String(format: "%.1f", v) : String(format: "%.2f", v)
    }
}
