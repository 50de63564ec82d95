/// The anomaly rules: statistics over each user's trail, no model. Each flag is an
/// `audit.anomaly_flagged` event (``ApexDomain/AuditAnomalyFlagged``) naming its rule.
public enum AnomalyRule: String, Sendable, CaseIterable {
    /// A request from an address prefix (IPv4 /24, IPv6 /48) the user never used, once the
    /// user's baseline holds ``AnomalyThresholds/baselineRequests`` requests.
    case newNetwork = "new_network"
    /// An approval (calculation or project) at a UTC hour in which at most
    /// ``AnomalyThresholds/rareHourShare`` of the user's baseline requests fell.
    case offHoursApproval = "off_hours_approval"
    /// ``AnomalyThresholds/denialBurst`` access denials or more within
    /// ``AnomalyThresholds/denialWindowSeconds`` for one user or one address.
    case denialBurst = "denial_burst"
    /// ``AnomalyThresholds/massDeletions`` deletions or reverts (projects, files) or more within
    /// ``AnomalyThresholds/deletionWindowSeconds`` by one user.
    case massDeletion = "mass_deletion"
    /// An approval by a user within ``AnomalyThresholds/licenseChangeWindowSeconds`` after
    /// that user's PE license changed.
    case approvalAfterLicenseChange = "approval_after_license_change"
}

/// The thresholds of the ``AnomalyRule``s (documented in docs/analytics.md).
public enum AnomalyThresholds {
    /// Requests (events with request metadata) a user's baseline holds before the baseline
    /// rules (new network, off-hours approval) may flag.
    public static let baselineRequests = 20
    /// An hour is rare for a user when at most this share of their baseline requests fell in it.
    public static let rareHourShare = 0.02
    /// Denials (an event's `count` included) that make a burst.
    public static let denialBurst = 10
    /// The window of a denial burst.
    public static let denialWindowSeconds: Int64 = 5 * 60
    /// Deletions or reverts that make a mass deletion.
    public static let massDeletions = 5
    /// The window of a mass deletion.
    public static let deletionWindowSeconds: Int64 = 10 * 60
    /// How long after a PE-license change an approval by that user is flagged.
    public static let licenseChangeWindowSeconds: Int64 = 15 * 60
    /// The longest window: older entries of `anomaly_recent` are pruned.
    static var longestWindowSeconds: Int64 { max(denialWindowSeconds, deletionWindowSeconds, licenseChangeWindowSeconds) }
}
