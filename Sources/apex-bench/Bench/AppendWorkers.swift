import ApexDomain
import ApexStore
import Foundation

/// The audit-log workload's identity and stream choice, shared by both sides of a scenario so
/// that Apex and the raw baseline write the same sequence of streams and payloads.
struct AuditWorkload: Sendable {
    let account: UUID
    let user: UUID
    let picker: StreamPicker
    let batch: Int
    let seed: UInt64
    let template: RawTemplate

    init(seed: UInt64, streams: Int, distribution: StreamDistribution, batch: Int) throws {
        var rng = SeededGenerator(seed: seed, scenario: "identity", worker: 0)
        account = rng.uuid()
        user = rng.uuid()
        picker = StreamPicker(count: streams, distribution: distribution)
        self.batch = batch
        self.seed = seed
        var sample = AuditEvents(account: account, user: user, rng: rng)
        template = try RawTemplate(sample: sample.next())
    }

    /// The generator of worker `w` in `phase` (a round or a warm-up: each phase has new event ids).
    func generator(_ phase: String, worker w: Int) -> SeededGenerator {
        SeededGenerator(seed: seed, scenario: phase, worker: w)
    }

    func apexWorker(_ store: any EventStore, phase: String, worker w: Int) -> ApexAppendWorker {
        ApexAppendWorker(
            store: store, workload: self, rng: generator(phase, worker: w),
            events: AuditEvents(account: account, user: user, rng: generator(phase + "/events", worker: w)))
    }

    func rawWorker(_ raw: any RawBaseline, versions: RawVersions, phase: String, worker w: Int) -> RawAppendWorker {
        RawAppendWorker(
            raw: raw, versions: versions, workload: self, rng: generator(phase, worker: w),
            events: AuditEvents(account: account, user: user, rng: generator(phase + "/events", worker: w)))
    }
}

/// Appends `batch` audit events per call to a drawn stream, expecting any version (an audit
/// log appends whatever the stream's state).
struct ApexAppendWorker: LoadWorker {
    let store: any EventStore
    let workload: AuditWorkload
    var rng: SeededGenerator
    var events: AuditEvents

    mutating func step() async throws -> Int {
        let stream = StreamID(rawValue: "audit-\(workload.picker.next(&rng))")
        _ = try await store.append(events.next(workload.batch), to: stream, expected: .any)
        return workload.batch
    }
}

/// Inserts the same rows as plain INSERTs: versions from memory, no reads, one transaction.
struct RawAppendWorker: LoadWorker {
    let raw: any RawBaseline
    let versions: RawVersions
    let workload: AuditWorkload
    var rng: SeededGenerator
    var events: AuditEvents

    mutating func step() async throws -> Int {
        let stream = "audit-\(workload.picker.next(&rng))"
        let first = versions.reserve(stream, count: workload.batch)
        let template = workload.template
        let rows = events.next(workload.batch).enumerated().map { i, e in template.row(e, stream: stream, version: first + Int64(i)) }
        try await raw.insert(rows)
        return workload.batch
    }
}
