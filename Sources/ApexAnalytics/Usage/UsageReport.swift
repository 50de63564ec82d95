public import ApexDomain
import Foundation

/// A usage report: one ``UsageBucket`` per day, week or month of a ``UsageRange``.
public struct UsageReport: Sendable, Hashable {
    /// The days covered.
    public var range: UsageRange
    /// How they are grouped.
    public var interval: UsageInterval
    /// The buckets, oldest first.
    public var buckets: [UsageBucket]
    /// How many events of the log the counters had not reached when the report was made.
    public var lag: Int64

    /// The report as the API shows it.
    public var json: JSONValue {
        [
            "from": .string(range.from.description), "to": .string(range.to.description), "interval": .string(interval.rawValue),
            "time_zone": "UTC", "lag": .number(Double(lag)), "buckets": .array(buckets.map(\.json)),
        ]
    }
}

/// What happened in an account over some days.
public struct UsageBucket: Sendable, Hashable {
    /// The first day.
    public var first: CivilDate
    /// The last day (included).
    public var last: CivilDate
    /// Events by type.
    public var events: [String: Int64] = [:]
    /// The counters of ``UsageMetric``.
    public var counts: [UsageMetric: Int64] = [:]
    /// Distinct users who did something in the bucket.
    public var activeUsers = 0
    /// The seconds from `submitted` to `approved` of the projects approved in the bucket, sorted.
    public var approvalSeconds: [Int64] = []
    /// The bytes the account's files held at the end of the bucket.
    public var storageUsedBytes: Int64 = 0

    /// An empty bucket from `first` through `last`.
    public init(first: CivilDate, last: CivilDate) {
        self.first = first
        self.last = last
    }

    /// The median of ``approvalSeconds`` (the mean of the two middle values for an even count); nil when none.
    public var medianApprovalSeconds: Double? {
        let n = approvalSeconds.count
        guard n > 0 else { return nil }
        return n % 2 == 1 ? Double(approvalSeconds[n / 2]) : Double(approvalSeconds[n / 2 - 1] + approvalSeconds[n / 2]) / 2
    }

    /// The 90th percentile of ``approvalSeconds`` by nearest rank; nil when none.
    public var p90ApprovalSeconds: Double? {
        let n = approvalSeconds.count
        guard n > 0 else { return nil }
        return Double(approvalSeconds[Int((0.9 * Double(n)).rounded(.up)) - 1])
    }

    /// The bucket as the API shows it.
    public var json: JSONValue {
        func n(_ metric: UsageMetric) -> JSONValue { .number(Double(counts[metric] ?? 0)) }
        func optional(_ value: Double?) -> JSONValue { value.map { .number($0) } ?? .null }
        return [
            "from": .string(first.description), "to": .string(last.description),
            "events": .object(events.mapValues { .number(Double($0)) }),
            "projects": ["created": n(.projectsCreated), "approved": n(.projectsApproved), "completed": n(.projectsCompleted)],
            "calculations": ["run": n(.calculationsRun), "approved": n(.calculationsApproved)],
            "access_denials": n(.accessDenials), "active_users": .number(Double(activeUsers)),
            "submitted_to_approved_seconds": [
                "count": .number(Double(approvalSeconds.count)), "median": optional(medianApprovalSeconds), "p90": optional(p90ApprovalSeconds),
            ],
            "storage": ["added_bytes": n(.storageAddedBytes), "removed_bytes": n(.storageRemovedBytes), "used_bytes": .number(Double(storageUsedBytes))],
        ]
    }
}
