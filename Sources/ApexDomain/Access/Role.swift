/// A user's role in an account; it decides what the user may do (see ``AccessPolicy``).
public enum Role: String, Sendable, Hashable, Codable, CaseIterable {
    /// Runs the account: everything, billing included.
    case owner
    /// Runs projects and people, not billing.
    case admin
    /// Runs and, with a PE license, approves calculations.
    case engineer
    /// Creates and edits projects, runs calculations.
    case estimator
    /// Sees approved work only.
    case fabricator
    /// Sees their own projects only.
    case client
}

/// What a request wants to do: one column of the role matrix.
public enum Permission: String, Sendable, Hashable, Codable, CaseIterable {
    /// Create a project.
    case projectCreate = "project.create"
    /// Edit a project's fields or status.
    case projectEdit = "project.edit"
    /// Soft-delete or restore a project.
    case projectDelete = "project.delete"
    /// See a project and its history.
    case projectView = "project.view"
    /// Run a calculation or revise its inputs.
    case calculationRun = "calculation.run"
    /// Approve a calculation revision (needs a valid PE license).
    case calculationApprove = "calculation.approve"
    /// See calculations.
    case calculationView = "calculation.view"
    /// Invite a user, or change a user's role.
    case userInvite = "user.invite"
    /// Remove a user.
    case userRemove = "user.remove"
    /// List the account's users.
    case userView = "user.view"
    /// See and change billing.
    case accountBilling = "account.billing"
    /// Change account settings.
    case accountManage = "account.manage"
    /// Upload a file.
    case fileUpload = "file.upload"
    /// Delete a file.
    case fileDelete = "file.delete"
    /// See files.
    case fileView = "file.view"
}
