import ApexDomain
public import ApexStore
public import Foundation
public import Logging

/// An account's usage over time, from the tables the `analytics` consumer keeps in the store's
/// database (``UsageConsumer``): a report reads only the rows of the days it covers, never the log.
///
/// ```swift
/// let usage = UsageAnalytics(store: store, logger: logger)
/// let range = try UsageRange(from: "2026-01-01", to: "2026-03-31", today: CivilDate(containing: Date()))
/// let report = try await usage.report(account: id, range: range, interval: .month)
/// ```
public struct UsageAnalytics: Sendable {
    /// The consumer keeping the tables current; run it with a ``ConsumerRunner`` (the server's
    /// ``ConsumerService`` does).
    public let consumer: UsageConsumer
    let sql: FeatureSQL
    let store: any EventStore
    let logger: Logger

    /// The analytics of `store` (none for the in-memory store: reports throw ``AnalyticsError/Code/unavailable``).
    public init(store: any EventStore, logger: Logger) {
        let sql = FeatureSQL(database: store.featureDatabase, logger: logger)
        self.sql = sql
        self.store = store
        self.logger = logger
        self.consumer = UsageConsumer(sql: sql, schema: FeatureSchema(AnalyticsSchema.statements))
    }

    /// The report of `account` over `range` by `interval`, after catching the counters up with
    /// the log (``ConsumerCatchUp``; ``UsageReport/lag`` says by how much they still lag).
    public func report(account: UUID, range: UsageRange, interval: UsageInterval) async throws -> UsageReport {
        guard sql.isAvailable else { throw AnalyticsError(.unavailable, "analytics needs a SQLite or PostgreSQL store") }
        let lag = try await ConsumerCatchUp(consumer, store: store, logger: logger).run()
        try await consumer.schema.create(on: sql)
        let id = FeatureSQLValue.text(account.lowercased)
        let first = FeatureSQLValue.int(range.from.daysSinceEpoch), last = FeatureSQLValue.int(range.to.daysSinceEpoch)
        let spans = range.buckets(interval)
        var buckets = spans.map { UsageBucket(first: $0.first, last: $0.last) }
        /// The bucket holding `day` (the buckets are consecutive and sorted).
        func index(_ day: Int64) -> Int? {
            var low = 0, high = spans.count - 1
            while low <= high {
                let mid = (low + high) / 2
                if day < spans[mid].first.daysSinceEpoch { high = mid - 1 } else if day > spans[mid].last.daysSinceEpoch { low = mid + 1 } else { return mid }
            }
            return nil
        }
        let between = "account_id = ? AND day >= ? AND day <= ?"
        for row in try await sql.run("SELECT day, metric, value FROM analytics_counts WHERE \(between)", [id, first, last], write: false) {
            guard let day = row["day"]?.int, let i = index(day), let metric = row["metric"]?.text, let value = row["value"]?.int else { continue }
            if metric.hasPrefix(UsageMetric.eventPrefix) {
                buckets[i].events[String(metric.dropFirst(UsageMetric.eventPrefix.count)), default: 0] += value
            } else if let known = UsageMetric(rawValue: metric) {
                buckets[i].counts[known, default: 0] += value
            }
        }
        var users = Array(repeating: Set<String>(), count: buckets.count)
        for row in try await sql.run("SELECT day, user_id FROM analytics_active WHERE \(between)", [id, first, last], write: false) {
            guard let day = row["day"]?.int, let i = index(day), let user = row["user_id"]?.text else { continue }
            users[i].insert(user)
        }
        for row in try await sql.run("SELECT day, seconds FROM analytics_approvals WHERE \(between)", [id, first, last], write: false) {
            guard let day = row["day"]?.int, let i = index(day), let seconds = row["seconds"]?.int else { continue }
            buckets[i].approvalSeconds.append(seconds)
        }
        var used = try await storageBefore(account: id, day: first)
        for i in buckets.indices {
            buckets[i].activeUsers = users[i].count
            buckets[i].approvalSeconds.sort()
            used += (buckets[i].counts[.storageAddedBytes] ?? 0) - (buckets[i].counts[.storageRemovedBytes] ?? 0)
            buckets[i].storageUsedBytes = used
        }
        return UsageReport(range: range, interval: interval, buckets: buckets, lag: lag)
    }

    /// The bytes the account's files held before `day`: one aggregate over two counters.
    private func storageBefore(account: FeatureSQLValue, day: FeatureSQLValue) async throws -> Int64 {
        let rows = try await sql.run(
            "SELECT metric, CAST(SUM(value) AS BIGINT) AS total FROM analytics_counts WHERE account_id = ? AND day < ? AND metric IN (?, ?) GROUP BY metric",
            [account, day, .text(UsageMetric.storageAddedBytes.rawValue), .text(UsageMetric.storageRemovedBytes.rawValue)], write: false)
        var used: Int64 = 0
        for row in rows {
            let total = row["total"]?.int ?? 0
            used += row["metric"]?.text == UsageMetric.storageAddedBytes.rawValue ? total : -total
        }
        return used
    }
}
