public import Foundation

/// The facts around a decision that are neither the principal nor the resource.
///
/// The policy reads no clock: `now` comes in as a value, so a replay decides the same way.
public struct AccessContext: Sendable, Hashable {
    /// When the request is decided. A PE license is valid through its `expiresOn` day
    /// (compared with the UTC day containing `now`).
    public var now: Date
    /// How many owners the account has (the last owner cannot be removed or demoted).
    public var ownerCount: Int
    /// For a role change (`user.invite` on an existing user): the role asked for.
    public var newRole: Role?
    /// For a status change (`project.edit`): the status asked for.
    public var newStatus: ProjectStatus?
    /// For `user.invite` on an existing user: the request confirms that user's PE license
    /// (which the licensee may not do for themselves).
    public var confirmsPELicense: Bool

    /// A context.
    public init(
        now: Date, ownerCount: Int = 1, newRole: Role? = nil, newStatus: ProjectStatus? = nil, confirmsPELicense: Bool = false
    ) {
        self.now = now
        self.ownerCount = ownerCount
        self.newRole = newRole
        self.newStatus = newStatus
        self.confirmsPELicense = confirmsPELicense
    }
}
