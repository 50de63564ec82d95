public import Foundation

/// Who is asking: a user of one account, with their role and, for engineers, their PE license.
///
/// ```swift
/// let license = PELicense(number: "123", state: "TX", expiresOn: CivilDate(year: 2027, month: 1, day: 1))
/// let alice = Principal(userID: aliceID, accountID: firmID, role: .engineer, peLicense: license)
/// ```
public struct Principal: Sendable, Hashable {
    /// The acting user.
    public var userID: UUID
    /// The account the user belongs to.
    public var accountID: UUID
    /// The user's role in that account.
    public var role: Role
    /// The user's PE license, if they hold one.
    public var peLicense: PELicense?

    /// A principal.
    public init(userID: UUID, accountID: UUID, role: Role, peLicense: PELicense? = nil) {
        self.userID = userID
        self.accountID = accountID
        self.role = role
        self.peLicense = peLicense
    }
}
