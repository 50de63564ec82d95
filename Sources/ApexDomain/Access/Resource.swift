public import Foundation

/// What a request acts on. Every resource belongs to one account.
///
/// Calculations and files are checked against their project: the ``Permission``
/// (`calculation.run`, `file.view`, …) says which part of the project is meant.
public enum Resource: Sendable, Hashable {
    /// The account itself: billing, settings, its user list.
    case account(accountID: UUID)
    /// A project, or a calculation or file in it.
    case project(ProjectResource)
    /// A user of the account.
    case user(UserResource)
    /// The account's whole audit trail (every stream, access denials included). Read with
    /// `user.remove`: those who manage the account's members (owner, admin) see its trail.
    case auditTrail(accountID: UUID)

    /// The account the resource belongs to.
    public var accountID: UUID {
        switch self {
        case .account(let accountID): accountID
        case .project(let project): project.accountID
        case .user(let user): user.accountID
        case .auditTrail(let accountID): accountID
        }
    }
}

/// The facts about a project the policy needs.
public struct ProjectResource: Sendable, Hashable {
    /// The project's account.
    public var accountID: UUID
    /// The project, or `nil` for one about to be created.
    public var projectID: UUID?
    /// The project's status (`draft` for one about to be created).
    public var status: ProjectStatus
    /// The client user the project is for, if any.
    public var clientID: UUID?
    /// Whether the project is soft-deleted.
    public var deleted: Bool

    /// A project.
    public init(accountID: UUID, projectID: UUID?, status: ProjectStatus, clientID: UUID? = nil, deleted: Bool = false)
    {
        self.accountID = accountID
        self.projectID = projectID
        self.status = status
        self.clientID = clientID
        self.deleted = deleted
    }
}

/// The facts about a user the policy needs.
public struct UserResource: Sendable, Hashable {
    /// The user's account.
    public var accountID: UUID
    /// The user.
    public var userID: UUID
    /// The user's current role (for an invitation: the role they are invited with).
    public var role: Role

    /// A user.
    public init(accountID: UUID, userID: UUID, role: Role) {
        self.accountID = accountID
        self.userID = userID
        self.role = role
    }
}
