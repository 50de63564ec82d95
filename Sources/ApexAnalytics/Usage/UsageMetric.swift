/// The per-day counters the `analytics` consumer keeps for each account (the `metric` column of
/// `analytics_counts`), besides one counter per event type (``eventPrefix`` + the type).
public enum UsageMetric: String, Sendable, CaseIterable {
    /// `project.created` events.
    case projectsCreated = "projects_created"
    /// Projects moved to `approved`.
    case projectsApproved = "projects_approved"
    /// Projects moved to `completed`.
    case projectsCompleted = "projects_completed"
    /// `calculation.run` events (each run or re-run).
    case calculationsRun = "calculations_run"
    /// `calculation.approved` events.
    case calculationsApproved = "calculations_approved"
    /// Access denials (an `access.denied` event standing for `count` repeats counts that many).
    case accessDenials = "access_denials"
    /// Bytes of file revisions uploaded.
    case storageAddedBytes = "storage_added_bytes"
    /// Bytes of the revisions of deleted files.
    case storageRemovedBytes = "storage_removed_bytes"

    /// The prefix of the per-event-type counters: `event:project.created`.
    public static let eventPrefix = "event:"
}
