import ApexDomain
import ApexStore
import Foundation

/// What one page of the log adds to the usage tables: counters to increment, active users,
/// approvals with their submitted→approved seconds, and the few facts carried between events
/// (when a project was last submitted, how many bytes a file holds). Pure: the consumer loads
/// the carried facts the page needs, folds the page, then writes ``statements`` in one transaction.
struct UsageTally {
    struct CounterKey: Hashable {
        var account: UUID
        var day: Int64
        var metric: String
    }

    struct ActiveKey: Hashable {
        var account: UUID
        var day: Int64
        var user: UUID
    }

    struct Approval {
        var position: Int64
        var account: UUID
        var day: Int64
        var project: UUID
        var seconds: Int64
    }

    private(set) var counters: [CounterKey: Int64] = [:]
    private(set) var active: Set<ActiveKey> = []
    private(set) var approvals: [Approval] = []
    /// When each project was last submitted (unix milliseconds): loaded, then updated by the page.
    var submitted: [UUID: Int64]
    /// Each file's bytes: loaded, then updated by the page.
    var fileBytes: [UUID: Int64]
    private var changedSubmissions: Set<UUID> = []
    private var changedFiles: Set<UUID> = []

    init(submitted: [UUID: Int64] = [:], fileBytes: [UUID: Int64] = [:]) {
        self.submitted = submitted
        self.fileBytes = fileBytes
    }

    /// The projects and files whose carried facts a page needs loaded before ``add(_:)``.
    static func needs(_ events: [EventEnvelope]) -> (projects: Set<UUID>, files: Set<UUID>) {
        var projects: Set<UUID> = [], files: Set<UUID> = []
        for event in events {
            switch event.type {
            case ProjectStatusChanged.type: if let id = event.stream.projectID { projects.insert(id) }
            case FileUploaded.type, FileDeleted.type:
                if let id = event.data["file_id"]?.stringValue.flatMap(UUID.init(uuidString:)) { files.insert(id) }
            default: break
            }
        }
        return (projects, files)
    }

    /// Folds one event in.
    mutating func add(_ event: EventEnvelope) throws {
        let day = CivilDate(containing: event.recordedAt).daysSinceEpoch
        let account = event.accountID
        func count(_ metric: UsageMetric, _ n: Int64 = 1) { counters[CounterKey(account: account, day: day, metric: metric.rawValue), default: 0] += n }
        counters[CounterKey(account: account, day: day, metric: UsageMetric.eventPrefix + event.type), default: 0] += 1
        if let user = event.actor.userID { active.insert(ActiveKey(account: account, day: day, user: user)) }
        switch event.type {
        case ProjectCreated.type: count(.projectsCreated)
        case ProjectStatusChanged.type:
            guard let project = event.stream.projectID else { break }
            let change = try event.payload(as: ProjectStatusChanged.self)
            let at = Int64((event.recordedAt.timeIntervalSince1970 * 1000).rounded())
            switch change.to {
            case .submitted:
                submitted[project] = at
                changedSubmissions.insert(project)
            case .approved:
                count(.projectsApproved)
                if let since = submitted[project] {
                    approvals.append(Approval(position: event.position, account: account, day: day, project: project, seconds: max(0, (at - since) / 1000)))
                }
            case .completed: count(.projectsCompleted)
            default: break
            }
        case CalculationRun.type: count(.calculationsRun)
        case CalculationApproved.type: count(.calculationsApproved)
        case AccessDenied.type: count(.accessDenials, Int64(max(1, try event.payload(as: AccessDenied.self).count ?? 1)))
        case FileUploaded.type:
            let upload = try event.payload(as: FileUploaded.self)
            count(.storageAddedBytes, upload.content.size)
            fileBytes[upload.fileID, default: 0] += upload.content.size
            changedFiles.insert(upload.fileID)
        case FileDeleted.type:
            let file = try event.payload(as: FileDeleted.self).fileID
            let bytes = fileBytes[file] ?? 0
            if bytes > 0 { count(.storageRemovedBytes, bytes) }
            fileBytes[file] = 0
            changedFiles.insert(file)
        default: break
        }
    }

    /// The writes, in a fixed order (so concurrent writers would lock rows in the same order).
    var statements: [FeatureStatement] {
        var out: [FeatureStatement] = []
        for (key, value) in counters.sorted(by: { ($0.key.account.lowercased, $0.key.day, $0.key.metric) < ($1.key.account.lowercased, $1.key.day, $1.key.metric) }) {
            out.append(FeatureStatement(
                """
                INSERT INTO analytics_counts (account_id, day, metric, value) VALUES (?, ?, ?, ?)
                ON CONFLICT (account_id, day, metric) DO UPDATE SET value = analytics_counts.value + excluded.value
                """, [.text(key.account.lowercased), .int(key.day), .text(key.metric), .int(value)]))
        }
        for key in active.sorted(by: { ($0.account.lowercased, $0.day, $0.user.lowercased) < ($1.account.lowercased, $1.day, $1.user.lowercased) }) {
            out.append(FeatureStatement(
                "INSERT INTO analytics_active (account_id, day, user_id) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                [.text(key.account.lowercased), .int(key.day), .text(key.user.lowercased)]))
        }
        for a in approvals {
            out.append(FeatureStatement(
                "INSERT INTO analytics_approvals (position, account_id, day, project_id, seconds) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                [.int(a.position), .text(a.account.lowercased), .int(a.day), .text(a.project.lowercased), .int(a.seconds)]))
        }
        for project in changedSubmissions.sorted(by: { $0.lowercased < $1.lowercased }) {
            guard let at = submitted[project] else { continue }
            out.append(FeatureStatement(
                """
                INSERT INTO analytics_submitted (project_id, submitted_at) VALUES (?, ?)
                ON CONFLICT (project_id) DO UPDATE SET submitted_at = excluded.submitted_at
                """, [.text(project.lowercased), .int(at)]))
        }
        for file in changedFiles.sorted(by: { $0.lowercased < $1.lowercased }) {
            out.append(FeatureStatement(
                "INSERT INTO analytics_files (file_id, bytes) VALUES (?, ?) ON CONFLICT (file_id) DO UPDATE SET bytes = excluded.bytes",
                [.text(file.lowercased), .int(fileBytes[file] ?? 0)]))
        }
        return out
    }
}
