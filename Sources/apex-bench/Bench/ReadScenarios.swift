import ApexCommandLine
import ApexDomain
import ApexStore
import Crypto

/// Reads: replaying one long project stream to state, catching up with the whole log, and
/// verifying it, each at a tenth of `--events` and at `--events` so memory can be compared.
enum ReadScenarios {
    static func run(_ kind: StoreKind, context: BenchContext, report: (ScenarioResult) -> Void) async throws {
        try await BenchHarness.with(kind, context: context) { h in
            let stream = try await ProjectStream.write(h.store, count: context.replayEvents, seed: context.seed)
            var filler = try LogFiller(seed: context.seed, streams: context.streams)
            for size in context.logSizes {
                try await filler.fill(h.store, upTo: size)
                // A served store seals checkpoints as it goes; one at the head makes verify check
                // the signed digest over every event, as it would there.
                try await h.store.sealCheckpoint(signer: Curve25519.Signing.PrivateKey())
                try await h.raw.refreshStatistics()
                let logEvents = Int(try await h.store.headPosition())
                let results = [
                    try await replay(h, stream: stream, context: context), try await catchUp(h, context: context),
                    try await verify(h, context: context), try await verifyAccount(h, stream: stream, context: context),
                ]
                for var result in results {
                    result.logEvents = logEvents
                    report(result)
                }
            }
        }
    }

    /// `replay.stream`: read + decode + ``ProjectState`` fold against a SELECT of the same rows.
    ///
    /// The stream is folded with `foldStream`, pages of 500 read and decoded two ahead of the
    /// fold. Read as stored, as the server loads project state: the fold needs no personal data,
    /// so request metadata stays sealed (opening it is what `catchup.readAll` measures).
    static func replay(_ h: BenchHarness, stream: StreamID, context: BenchContext) async throws -> ScenarioResult {
        let expected = Int64(context.replayEvents)
        let (raw, apex) = try await Comparison.measure(
            rounds: 1,
            raw: { try await ClosedLoop.passes(minimum: context.duration, maxPasses: 50) { try await h.raw.selectStream(stream) } },
            apex: {
                try await ClosedLoop.passes(minimum: context.duration, maxPasses: 50) {
                    let state = try await h.store.foldStream(stream, into: ProjectState()) { try $0.apply(contentsOf: $1) }
                    guard state.version == expected else { throw CLIError("replay reached version \(state.version), expected \(expected)") }
                    return Int(state.version)
                }
            })
        return ScenarioResult(
            id: "replay.stream", title: "replay a \(context.replayEvents)-event stream", store: h.kind, concurrency: 1,
            workload: "project events from ProjectDecider, foldStream (as stored, pages of 500 read ahead) vs SELECT", apex: apex, raw: raw, minRatio: 0.5)
    }

    /// `catchup.readAll`: a subscriber catching up from position 0 against one ordered SELECT.
    static func catchUp(_ h: BenchHarness, context: BenchContext) async throws -> ScenarioResult {
        let head = try await h.store.headPosition()
        let (raw, apex) = try await Comparison.measure(
            rounds: 1,
            raw: { try await ClosedLoop.passes(minimum: context.duration, maxPasses: 3) { try await h.raw.scanAll() } },
            apex: {
                try await ClosedLoop.passes(minimum: context.duration, maxPasses: 3) {
                    var n = 0
                    for try await event in h.store.subscribe(after: 0) {
                        n += 1
                        if event.position >= head { break }
                    }
                    guard n == Int(head) else { throw CLIError("catch-up read \(n) events up to position \(head)") }
                    return n
                }
            })
        return ScenarioResult(
            id: "catchup.readAll", title: "catch-up read of the log", store: h.kind, concurrency: 1,
            workload: "subscribe(after: 0), pages of 500 vs one ordered SELECT", apex: apex, raw: raw, minRatio: 0.7)
    }

    /// `verify`: ``EventStore/verify(options:progress:)`` against SHA-256 over the same rows' bytes.
    static func verify(_ h: BenchHarness, context: BenchContext) async throws -> ScenarioResult {
        let (raw, apex) = try await Comparison.measure(
            rounds: 1,
            raw: { try await ClosedLoop.passes(minimum: context.duration, maxPasses: 3) { try await h.raw.hashAll() } },
            apex: {
                try await ClosedLoop.passes(minimum: context.duration, maxPasses: 3) {
                    let report = try await h.store.verify()
                    guard report.ok else { throw CLIError("verify failed: \(report.firstFailure?.description ?? "?")") }
                    return Int(report.eventsChecked)
                }
            })
        return ScenarioResult(
            id: "verify", title: "verify the log", store: h.kind, concurrency: 1,
            workload: "store.verify() with a checkpoint at the head vs ordered SELECT + SHA-256 per row", apex: apex, raw: raw, minRatio: 0.5)
    }
}

extension ReadScenarios {
    /// `verify.account`: one tenant's verify (`/v1/audit/verify`: its streams, then its events'
    /// inclusion in every later checkpoint, from a pass over the log's stored hashes) against
    /// SHA-256 over every row of the log. The tenant is the replayed project's account, whose
    /// events come first, so the pass covers the whole log: the worst case. Both sides count the
    /// log's events, so the ratio compares the time of one pass each.
    static func verifyAccount(_ h: BenchHarness, stream: StreamID, context: BenchContext) async throws -> ScenarioResult {
        guard let account = try await h.store.readStream(stream, from: 1, limit: 1, mode: .stored).first?.accountID else {
            throw CLIError("the replayed stream has no events")
        }
        let head = Int(try await h.store.headPosition())
        let (raw, apex) = try await Comparison.measure(
            rounds: 1,
            raw: { try await ClosedLoop.passes(minimum: context.duration, maxPasses: 3) { try await h.raw.hashAll() } },
            apex: {
                try await ClosedLoop.passes(minimum: context.duration, maxPasses: 3) {
                    let report = try await h.store.verify(account: account)
                    guard report.ok, report.checkpointsChecked > 0 else {
                        throw CLIError("account verify failed: \(report.firstFailure?.description ?? "no checkpoint checked")")
                    }
                    return head
                }
            })
        return ScenarioResult(
            id: "verify.account", title: "verify one account", store: h.kind, concurrency: 1,
            workload: "store.verify(account:) of a \(context.replayEvents)-event tenant, with inclusion in the checkpoint at the head, vs SELECT + SHA-256 of every row",
            apex: apex, raw: raw, minRatio: 0.5)
    }
}

/// Grows the log with audit events (batches of 50 to uniformly drawn streams) through Apex.
struct LogFiller {
    let workload: AuditWorkload
    var worker: ApexAppendWorker?

    init(seed: UInt64, streams: Int) throws {
        workload = try AuditWorkload(seed: seed, streams: streams, distribution: .uniform, batch: 50)
    }

    mutating func fill(_ store: any EventStore, upTo size: Int) async throws {
        var worker = self.worker ?? workload.apexWorker(store, phase: "fill", worker: 0)
        var head = Int(try await store.headPosition())
        while head < size { head += try await worker.step() }
        self.worker = worker
    }
}
