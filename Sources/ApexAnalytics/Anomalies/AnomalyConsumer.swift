public import ApexDomain
public import ApexStore
import Foundation

/// The consumer of the log named `anomalies`: keeps each user's baseline (address prefixes,
/// user agents, active hours) from the request metadata of their events, applies the
/// ``AnomalyRule``s, and appends each flag as an `audit.anomaly_flagged` event to the account's
/// stream (which webhooks can deliver, and which it records in `anomaly_flags` for listing).
///
/// Reads events opened, as the audit trail does (``ReadMode/opened``): request metadata is
/// sealed per account, month and user, and where retention or an erasure deleted the key the
/// metadata reads as erased; such an event adds nothing to a baseline and raises no network flag.
///
/// Exactly once: a flag's event id is derived from its rule and the position of the event that
/// raised it, and appending an existing id is a no-op; the baselines move with the consumer's
/// own checkpoint in one transaction. A crash between the two repeats the page, which appends
/// the same flags (no-ops) and writes the baselines once.
public struct AnomalyConsumer: LogConsumer {
    /// `anomalies`.
    public static let consumerName = "anomalies"
    /// `anomalies`.
    public var name: String { Self.consumerName }
    /// Opened: the rules need the addresses and user agents.
    public var readMode: ReadMode { .opened }
    let sql: FeatureSQL
    let store: any EventStore
    let checkpoint: FeatureCheckpoint
    var schema: FeatureSchema { checkpoint.schema }

    init(sql: FeatureSQL, schema: FeatureSchema, store: any EventStore) {
        self.sql = sql
        self.store = store
        self.checkpoint = FeatureCheckpoint(name: Self.consumerName, sql: sql, schema: schema)
    }

    /// Applies the rules to the events after the consumer's own checkpoint, appends the flags
    /// they raise, then writes the baselines with the checkpoint in one transaction.
    public func handle(_ events: [EventEnvelope]) async throws {
        try await checkpoint.apply(events) { fresh in
            let needs = AnomalyDetector.needs(fresh)
            var detector = AnomalyDetector(baselines: try await baselines(needs.users), recent: try await recent(needs.keys))
            var flags: [AnomalyDetector.Flag] = []
            for event in fresh { flags += try detector.add(event) }
            for flag in flags {
                let id = NetworkPrefix.flagID(rule: flag.rule, position: flag.position)
                let proposed = try flag.payload.draft().proposed(id: id, accountID: flag.account, actor: .service(Self.consumerName))
                // An id appended before (a repeated page, a rebuild) returns the first append's event.
                detector.listed(try await store.append([proposed], to: .anomalies(flag.account), expected: .any).events)
            }
            return detector.statements
        }
    }

    /// Empties the tables and the checkpoint before a replay from position 0. The flags already
    /// in the log stay; replaying raises the same ones again (same ids: no-ops) and lists them.
    public func prepareForReplay() async throws { try await checkpoint.reset(emptying: AnomalySchema.tables) }

    private func baselines(_ users: Set<AnomalyDetector.UserKey>) async throws -> [AnomalyDetector.UserKey: AnomalyBaseline] {
        var out: [AnomalyDetector.UserKey: AnomalyBaseline] = [:]
        for key in users {
            let binds: [FeatureSQLValue] = [.text(key.account.lowercased), .text(key.user.lowercased)]
            let rows = try await sql.run("SELECT requests, hours FROM anomaly_baselines WHERE account_id = ? AND user_id = ?", binds, write: false)
            guard let row = rows.first else { continue }
            var baseline = AnomalyBaseline()
            baseline.requests = row["requests"]?.int ?? 0
            baseline.hours = AnomalyBaseline.hours(row["hours"]?.text ?? "")
            for r in try await sql.run("SELECT prefix FROM anomaly_networks WHERE account_id = ? AND user_id = ?", binds, write: false) {
                if let prefix = r["prefix"]?.text { baseline.prefixes.insert(prefix) }
            }
            for r in try await sql.run("SELECT agent, requests FROM anomaly_agents WHERE account_id = ? AND user_id = ?", binds, write: false) {
                if let agent = r["agent"]?.text { baseline.agents[agent] = r["requests"]?.int ?? 0 }
            }
            out[key] = baseline
        }
        return out
    }

    private func recent(_ keys: Set<AnomalyDetector.RecentKey>) async throws -> [AnomalyDetector.RecentKey: [AnomalyDetector.Recent]] {
        var out: [AnomalyDetector.RecentKey: [AnomalyDetector.Recent]] = [:]
        for key in keys {
            let rows = try await sql.run(
                "SELECT position, event_id, at_ms, weight FROM anomaly_recent WHERE account_id = ? AND key = ? ORDER BY position",
                [.text(key.account.lowercased), .text(key.key)], write: false)
            for row in rows {
                guard let position = row["position"]?.int, let id = row["event_id"]?.text.flatMap(UUID.init(uuidString:)) else { continue }
                out[key, default: []].append(AnomalyDetector.Recent(position: position, eventID: id, atMillis: row["at_ms"]?.int ?? 0, weight: row["weight"]?.int ?? 1))
            }
        }
        return out
    }
}
