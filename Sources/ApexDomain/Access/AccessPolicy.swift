/// Who may do what: the role matrix of the design brief, and one pure function that applies it.
///
/// ```swift
/// let decision = AccessPolicy.decide(principal, .calculationApprove, .project(project), context)
/// if let denial = decision.denial { throw … denial.concealsExistence ? .notFound : .forbidden … }
/// ```
///
/// See ``decide(_:_:_:_:)`` for the order in which the rules apply.
public enum AccessPolicy {
    /// How a role holds a permission: outright, or under a condition.
    public enum Grant: Sendable, Hashable {
        /// Always, within the role's account.
        case always
        /// Only on projects whose status is approved, in fabrication or completed (and not deleted).
        case approvedOnly
        /// Only on projects whose client is the acting user (and not deleted).
        case ownOnly
        /// Only with a PE license that has not expired.
        case withPELicense
    }

    /// The role matrix: a role holds exactly the permissions listed in its row.
    /// A permission missing from a row is denied (default deny).
    public static let matrix: [Role: [Permission: Grant]] = [
        .owner: [
            .projectCreate: .always, .projectEdit: .always, .projectDelete: .always, .projectView: .always,
            .calculationRun: .always, .calculationApprove: .withPELicense, .calculationView: .always,
            .userInvite: .always, .userRemove: .always, .userView: .always,
            .accountBilling: .always, .accountManage: .always,
            .fileUpload: .always, .fileDelete: .always, .fileView: .always,
        ],
        .admin: [
            .projectCreate: .always, .projectEdit: .always, .projectDelete: .always, .projectView: .always,
            .calculationRun: .always, .calculationApprove: .withPELicense, .calculationView: .always,
            .userInvite: .always, .userRemove: .always, .userView: .always,
            .fileUpload: .always, .fileDelete: .always, .fileView: .always,
        ],
        .engineer: [
            .projectView: .always,
            .calculationRun: .always, .calculationApprove: .withPELicense, .calculationView: .always,
            .userView: .always,
            .fileUpload: .always, .fileView: .always,
        ],
        .estimator: [
            .projectCreate: .always, .projectEdit: .always, .projectView: .always,
            .calculationRun: .always, .calculationView: .always,
            .userView: .always,
            .fileUpload: .always, .fileView: .always,
        ],
        .fabricator: [
            .projectView: .approvedOnly, .calculationView: .approvedOnly, .fileView: .approvedOnly,
        ],
        .client: [
            .projectView: .ownOnly, .calculationView: .ownOnly, .fileView: .ownOnly,
        ],
    ]

    /// The permissions a role holds, under any condition, in ``Permission`` declaration order.
    ///
    /// ```swift
    /// AccessPolicy.permissions(for: .fabricator) // [.projectView, .calculationView, .fileView]
    /// ```
    public static func permissions(for role: Role) -> [Permission] {
        let row = matrix[role] ?? [:]
        return Permission.allCases.filter { row[$0] != nil }
    }
}
