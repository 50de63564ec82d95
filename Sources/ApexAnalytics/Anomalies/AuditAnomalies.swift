public import ApexDomain
public import ApexStore
public import Foundation
public import Logging

/// The anomaly flags of the log (``AnomalyConsumer``), listed newest first from `anomaly_flags`.
///
/// ```swift
/// let anomalies = AuditAnomalies(store: store, logger: logger)
/// let page = try await anomalies.list(account: id, filter: AnomalyFilter(rule: .denialBurst), limit: 50)
/// ```
public struct AuditAnomalies: Sendable {
    /// The consumer raising the flags; run it with a ``ConsumerRunner``.
    public let consumer: AnomalyConsumer
    let sql: FeatureSQL
    let store: any EventStore
    let logger: Logger

    /// The flags of `store` (none for the in-memory store: listing throws ``AnalyticsError/Code/unavailable``).
    public init(store: any EventStore, logger: Logger) {
        let sql = FeatureSQL(database: store.featureDatabase, logger: logger)
        self.sql = sql
        self.store = store
        self.logger = logger
        let statements = AnalyticsSchema.statements.filter { $0.contains("analytics_checkpoint") } + AnomalySchema.statements
        self.consumer = AnomalyConsumer(sql: sql, schema: FeatureSchema(statements), store: store)
    }

    /// A page of `account`'s flags matching `filter`, newest first, after `cursor` (a page's
    /// ``AnomalyPage/nextCursor``); the consumer is caught up with the log first.
    public func list(account: UUID, filter: AnomalyFilter, cursor: String? = nil, limit: Int) async throws -> AnomalyPage {
        guard sql.isAvailable else { throw AnalyticsError(.unavailable, "anomaly flags need a SQLite or PostgreSQL store") }
        let lag = try await ConsumerCatchUp(consumer, store: store, logger: logger).run()
        try await consumer.schema.create(on: sql)
        var clauses = ["account_id = ?"]
        var binds: [FeatureSQLValue] = [.text(account.lowercased)]
        if let from = filter.from {
            clauses.append("at_ms >= ?")
            binds.append(.int(Self.millis(from)))
        }
        if let to = filter.to {
            clauses.append("at_ms < ?")
            binds.append(.int(Self.millis(to)))
        }
        if let rule = filter.rule {
            clauses.append("rule = ?")
            binds.append(.text(rule.rawValue))
        }
        if let cursor {
            let parts = cursor.split(separator: ".", omittingEmptySubsequences: false)
            guard parts.count == 2, let at = Int64(parts[0]), let position = Int64(parts[1]) else {
                throw AnalyticsError(.invalidCursor, "cursor is not one this endpoint handed out", field: "cursor")
            }
            clauses.append("(at_ms < ? OR (at_ms = ? AND position < ?))")
            binds += [.int(at), .int(at), .int(position)]
        }
        binds.append(.int(Int64(limit + 1)))
        var rows = try await sql.run(
            "SELECT position, at_ms, data FROM anomaly_flags WHERE \(clauses.joined(separator: " AND ")) ORDER BY at_ms DESC, position DESC LIMIT ?",
            binds, write: false)
        var next: String?
        if rows.count > limit {
            rows.removeLast()
            if let last = rows.last, let at = last["at_ms"]?.int, let position = last["position"]?.int { next = "\(at).\(position)" }
        }
        let flags = try rows.compactMap { row -> AnomalyFlag? in
            guard let position = row["position"]?.int, let text = row["data"]?.text else { return nil }
            let payload = try CanonicalJSON.decode(AuditAnomalyFlagged.self, from: try JSONValue.parse(text))
            return AnomalyFlag(position: position, at: Date(timeIntervalSince1970: Double(row["at_ms"]?.int ?? 0) / 1000), flag: payload)
        }
        return AnomalyPage(flags: flags, nextCursor: next, lag: lag)
    }

    static func millis(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1000).rounded()) }
}

/// Which flags to list.
public struct AnomalyFilter: Sendable, Hashable {
    /// Flags raised at or after this time.
    public var from: Date?
    /// Flags raised before this time.
    public var to: Date?
    /// Flags of this rule only.
    public var rule: AnomalyRule?

    /// A filter.
    public init(from: Date? = nil, to: Date? = nil, rule: AnomalyRule? = nil) {
        self.from = from
        self.to = to
        self.rule = rule
    }
}

/// One flag: its event's position and time, and its payload.
public struct AnomalyFlag: Sendable, Hashable {
    /// The position of the `audit.anomaly_flagged` event.
    public var position: Int64
    /// When it was appended.
    public var at: Date
    /// What it says.
    public var flag: AuditAnomalyFlagged
}

/// A page of flags.
public struct AnomalyPage: Sendable {
    /// The flags, newest first.
    public var flags: [AnomalyFlag]
    /// The cursor of the next page, if there is one.
    public var nextCursor: String?
    /// How many events of the log the consumer had not reached.
    public var lag: Int64
}
