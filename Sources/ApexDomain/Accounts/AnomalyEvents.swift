public import Foundation

/// `audit.anomaly_flagged`: the anomaly consumer (statistics over the audit trail, no model)
/// found something unusual in the account's trail. A flag names the events behind it; it accuses
/// no one, it asks an owner or admin to look.
public struct AuditAnomalyFlagged: DomainEvent {
    /// `audit.anomaly_flagged`.
    public static let type = "audit.anomaly_flagged"
    /// The rule that fired: `new_network`, `off_hours_approval`, `denial_burst`,
    /// `mass_deletion` or `approval_after_license_change`.
    public var rule: String
    /// The user the flag is about; nil for a burst of denials keyed by address alone.
    public var userID: UUID?
    /// The log positions of the events behind the flag, oldest first.
    public var positions: [Int64]
    /// Their event ids, in the same order.
    public var eventIDs: [UUID]
    /// What was seen, in a sentence (no address, no personal value).
    public var summary: String

    /// The payload.
    public init(rule: String, userID: UUID?, positions: [Int64], eventIDs: [UUID], summary: String) {
        self.rule = rule
        self.userID = userID
        self.positions = positions
        self.eventIDs = eventIDs
        self.summary = summary
    }

    enum CodingKeys: String, CodingKey {
        case rule
        case userID = "user_id"
        case positions
        case eventIDs = "event_ids"
        case summary
    }
}
