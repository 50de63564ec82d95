/// Where a project is in its lifecycle.
///
/// `draft -> estimating -> submitted -> approved -> in_fabrication -> completed`,
/// `submitted -> estimating` (sent back), `approved -> estimating` (reopened: owner or admin, with a
/// reason; the approvals then count no more), and any status `-> archived` (owner or admin).
/// From `approved` on, calculations are frozen (``isApprovedOrLater``).
public enum ProjectStatus: String, Sendable, Hashable, Codable, CaseIterable {
    /// Being drawn up.
    case draft
    /// Being estimated.
    case estimating
    /// Submitted for approval.
    case submitted
    /// Approved: every calculation's latest revision carries a PE approval.
    case approved
    /// In the shop.
    case inFabrication = "in_fabrication"
    /// Built and delivered.
    case completed
    /// Read-only until restored.
    case archived

    /// Whether a fabricator may see a project in this status (*approved only* in the role matrix),
    /// and whether its calculations are frozen (no run, no revision) until it is reopened.
    public var isApprovedOrLater: Bool {
        switch self {
        case .approved, .inFabrication, .completed: true
        default: false
        }
    }

    /// The statuses this one may move to, archive included.
    public var successors: Set<ProjectStatus> {
        switch self {
        case .draft: [.estimating, .archived]
        case .estimating: [.submitted, .archived]
        case .submitted: [.approved, .estimating, .archived]
        case .approved: [.inFabrication, .estimating, .archived]
        case .inFabrication: [.completed, .archived]
        case .completed: [.archived]
        case .archived: []
        }
    }
}
