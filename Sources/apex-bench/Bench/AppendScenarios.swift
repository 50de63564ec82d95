import ApexDomain
import ApexStore

/// Durable appends: one event or a batch of 100 per call, and the audit-log workload (16
/// writers over 20,000 streams, uniform or Zipf) with a catch-up subscriber running.
enum AppendScenarios {
    /// `append.single` and `append.batch100` for one store and concurrency.
    static func appends(
        _ kind: StoreKind, context: BenchContext, writers: Int, batch: Int, minRatio: Double
    ) async throws -> ScenarioResult {
        let id = batch == 1 ? "append.single" : "append.batch\(batch)"
        let workload = try AuditWorkload(seed: context.seed, streams: context.streams, distribution: .uniform, batch: batch)
        return try await BenchHarness.with(kind, context: context) { h in
            let versions = RawVersions()
            try await warmUp(h, workload, versions: versions, writers: writers, context: context)
            var round = 0
            let (raw, apex) = try await Comparison.measure(
                rounds: context.rounds,
                raw: {
                    round += 1
                    let phase = "\(id)/\(writers)/round\(round)"
                    return try await ClosedLoop.run(workers: writers, duration: context.duration) { w in
                        workload.rawWorker(h.raw, versions: versions, phase: phase, worker: w)
                    }
                },
                apex: {
                    let phase = "\(id)/\(writers)/round\(round)"
                    return try await ClosedLoop.run(workers: writers, duration: context.duration) { w in
                        workload.apexWorker(h.store, phase: phase, worker: w)
                    }
                })
            let title = batch == 1 ? "append 1 event/call, durable" : "append batches of \(batch)"
            return ScenarioResult(
                id: id, title: title, store: kind, concurrency: writers,
                workload: "\(AuditEvents.dataBytes)-byte events, \(context.streams) streams uniform", apex: apex, raw: raw,
                minRatio: minRatio)
        }
    }

    /// `auditlog.uniform` / `auditlog.zipf`: the event-store-benchmark audit-log shape with a
    /// catch-up subscriber reading while the writers write.
    static func auditLog(
        _ kind: StoreKind, context: BenchContext, distribution: StreamDistribution, minRatio: Double
    ) async throws -> ScenarioResult {
        let name: String
        if case .zipf = distribution { name = "zipf" } else { name = "uniform" }
        let id = "auditlog.\(name)"
        let workload = try AuditWorkload(seed: context.seed, streams: context.streams, distribution: distribution, batch: 1)
        let writers = context.writers
        return try await BenchHarness.with(kind, context: context) { h in
            let versions = RawVersions()
            try await warmUp(h, workload, versions: versions, writers: writers, context: context)
            var round = 0
            var rawSubscriber = SubscriberStats(), apexSubscriber = SubscriberStats()
            let (raw, apex) = try await Comparison.measure(
                rounds: context.rounds,
                raw: {
                    round += 1
                    let phase = "\(id)/round\(round)"
                    let start = try await h.raw.lastRawPosition()
                    let (tally, seen) = try await Subscribers.during(
                        from: start, read: Subscribers.raw(h.raw, after: start), finalPosition: { try await h.raw.lastRawPosition() },
                        writers: {
                            try await ClosedLoop.run(workers: writers, duration: context.duration) { w in
                                workload.rawWorker(h.raw, versions: versions, phase: phase, worker: w)
                            }
                        })
                    rawSubscriber.merge(seen)
                    return tally
                },
                apex: {
                    let phase = "\(id)/round\(round)"
                    let start = try await h.store.headPosition()
                    let (tally, seen) = try await Subscribers.during(
                        from: start, read: Subscribers.apex(h.store, after: start), finalPosition: { try await h.store.headPosition() },
                        writers: {
                            try await ClosedLoop.run(workers: writers, duration: context.duration) { w in
                                workload.apexWorker(h.store, phase: phase, worker: w)
                            }
                        })
                    apexSubscriber.merge(seen)
                    return tally
                })
            var result = ScenarioResult(
                id: id, title: "audit-log, \(name) streams, subscriber", store: kind, concurrency: writers,
                workload: "\(AuditEvents.dataBytes)-byte events, \(context.streams) streams \(distribution), catch-up subscriber",
                apex: apex, raw: raw, minRatio: minRatio)
            result.extra.merge(apexSubscriber.figures(prefix: "apex_subscriber"), uniquingKeysWith: { $1 })
            result.extra.merge(rawSubscriber.figures(prefix: "raw_subscriber"), uniquingKeysWith: { $1 })
            if case .zipf = distribution { result.extra["hottest_stream_share"] = workload.picker.hottestShare }
            if !apexSubscriber.caughtUp { result.notes.append("the Apex subscriber had not caught up 60 s after the writers stopped") }
            if kind == .postgres {
                result.notes.append("raw subscriber polls an identity column, which is not commit-ordered: it may skip rows; Apex's positions are gap-safe")
            }
            return result
        }
    }

    /// Appends on each side first, so that keys, connections and caches exist before timing,
    /// and then the planner's statistics refreshed with the store at least `warmUpEvents` long
    /// (5,000; 200 with `--quick`): a scenario then measures plans made for a table of that
    /// size, as autovacuum keeps them, not plans cached while it was empty (see
    /// ``RawBaseline/refreshStatistics()``).
    private static func warmUp(
        _ h: BenchHarness, _ workload: AuditWorkload, versions: RawVersions, writers: Int, context: BenchContext
    ) async throws {
        let warmUpEvents: Int64 = context.quick ? 200 : 5_000
        let time = Duration.milliseconds(max(100, Int64(context.duration.seconds * 100)))
        _ = try await ClosedLoop.run(workers: writers, duration: time) { w in workload.rawWorker(h.raw, versions: versions, phase: "warmup", worker: w) }
        var round = 0
        repeat {
            round += 1
            let phase = "warmup\(round)"
            _ = try await ClosedLoop.run(workers: writers, duration: time) { w in workload.apexWorker(h.store, phase: phase, worker: w) }
        } while try await h.store.headPosition() < warmUpEvents
        try await h.raw.refreshStatistics()
    }
}

extension SubscriberStats {
    mutating func merge(_ other: SubscriberStats) {
        events += other.events
        lag.merge(other.lag)
        drain = max(drain, other.drain)
        caughtUp = caughtUp && other.caughtUp
    }
}
