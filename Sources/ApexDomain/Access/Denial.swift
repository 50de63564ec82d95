/// Why ``AccessPolicy`` denied a request: a stable ``Code``, a message a person reads,
/// and whether the server must hide that the resource exists.
public struct Denial: Sendable, Hashable, CustomStringConvertible {
    /// A stable, machine-readable denial code. New codes may be added; match with `==`.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Base: String, Sendable, Hashable {
            case crossAccount = "cross_account"
            case roleForbids = "role_forbids"
            case notVisible = "not_visible"
            case peLicenseMissing = "pe_license_missing"
            case peLicenseExpired = "pe_license_expired"
            case peLicenseUnconfirmed = "pe_license_unconfirmed"
            case selfConfirmation = "self_confirmation"
            case ownerOnly = "owner_only"
            case lastOwner = "last_owner"
            case readOnly = "read_only"
            case noRule = "no_rule"
            case ipNotAllowed = "ip_not_allowed"
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The resource belongs to another account.
        public static let crossAccount = Code(.crossAccount)
        /// The role matrix does not give the role this permission.
        public static let roleForbids = Code(.roleForbids)
        /// The role may not see this project (fabricator: not approved; client: not theirs).
        public static let notVisible = Code(.notVisible)
        /// Approving needs a PE license and the user has none.
        public static let peLicenseMissing = Code(.peLicenseMissing)
        /// Approving needs a PE license and the user's has expired.
        public static let peLicenseExpired = Code(.peLicenseExpired)
        /// Approving needs a PE license that an owner or admin other than the licensee recorded or
        /// confirmed; the user's is pending (self-declared) or was confirmed by themselves.
        public static let peLicenseUnconfirmed = Code(.peLicenseUnconfirmed)
        /// A user may not confirm their own PE license.
        public static let selfConfirmation = Code(.selfConfirmation)
        /// Only an owner may make or unmake an owner.
        public static let ownerOnly = Code(.ownerOnly)
        /// The account would be left without an owner.
        public static let lastOwner = Code(.lastOwner)
        /// The project is archived and cannot change until restored.
        public static let readOnly = Code(.readOnly)
        /// No rule covers this permission on this kind of resource (default deny).
        public static let noRule = Code(.noRule)

        /// The client address is outside the account's IP allowlist.
        public static let ipNotAllowed = Code(.ipNotAllowed)

        /// The code's text, e.g. `role_forbids`.
        public var description: String { base.rawValue }
    }

    /// What kind of denial this is.
    public var code: Code
    /// A sentence a person reads, e.g. `engineer may not project.delete`. It holds no ids or secrets.
    public var message: String
    /// Whether the server must answer as if the resource did not exist (404, not 403):
    /// another account's resource, or a project the role may not see.
    public var concealsExistence: Bool

    /// A denial.
    public init(_ code: Code, _ message: String, concealsExistence: Bool = false) {
        self.code = code
        self.message = message
        self.concealsExistence = concealsExistence
    }

    /// `code: message`.
    public var description: String { "\(code): \(message)" }
}
