public import ApexDomain
public import ApexStore
import Foundation

/// The consumer of the log named `analytics`: per account and UTC day, counters of events by
/// type, projects created/approved/completed, calculations run/approved, access denials and
/// file bytes added/removed; who was active; and each project approval's submitted→approved
/// seconds (``AnalyticsSchema``).
///
/// Exactly once, though the runner delivers at least once: a page's changes and the consumer's
/// own checkpoint (``FeatureCheckpoint``) are written in one transaction, and events at or
/// before that checkpoint are skipped, so a repeated page adds nothing. Reads events as stored:
/// no personal value is needed. ``prepareForReplay()`` empties the tables
/// (`apex-cli projections rebuild analytics`).
public struct UsageConsumer: LogConsumer {
    /// `analytics`.
    public static let consumerName = "analytics"
    /// `analytics`.
    public var name: String { Self.consumerName }
    let sql: FeatureSQL
    let checkpoint: FeatureCheckpoint
    var schema: FeatureSchema { checkpoint.schema }

    init(sql: FeatureSQL, schema: FeatureSchema) {
        self.sql = sql
        self.checkpoint = FeatureCheckpoint(name: Self.consumerName, sql: sql, schema: schema)
    }

    /// Applies the events after the consumer's own checkpoint, with the checkpoint, in one transaction.
    public func handle(_ events: [EventEnvelope]) async throws {
        try await checkpoint.apply(events) { fresh in
            let needs = UsageTally.needs(fresh)
            var tally = UsageTally(
                submitted: try await values("analytics_submitted", key: "project_id", value: "submitted_at", of: needs.projects),
                fileBytes: try await values("analytics_files", key: "file_id", value: "bytes", of: needs.files))
            for event in fresh { try tally.add(event) }
            return tally.statements
        }
    }

    /// Empties the tables and the checkpoint before a replay from position 0.
    public func prepareForReplay() async throws { try await checkpoint.reset(emptying: AnalyticsSchema.usageTables) }

    /// `value` by `key` from `table` for `ids`.
    private func values(_ table: String, key: String, value: String, of ids: Set<UUID>) async throws -> [UUID: Int64] {
        var out: [UUID: Int64] = [:]
        let all = ids.map(\.lowercased)
        for start in stride(from: 0, to: all.count, by: 200) {
            let chunk = all[start..<min(start + 200, all.count)]
            let marks = Array(repeating: "?", count: chunk.count).joined(separator: ", ")
            let rows = try await sql.run("SELECT \(key), \(value) FROM \(table) WHERE \(key) IN (\(marks))", chunk.map { .text($0) }, write: false)
            for row in rows {
                if let id = row[key]?.text.flatMap(UUID.init(uuidString:)), let v = row[value]?.int { out[id] = v }
            }
        }
        return out
    }
}
