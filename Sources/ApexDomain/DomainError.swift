/// Why the domain refused a command: a stable ``Code``, a message a person can act on,
/// and the field it is about, where there is one.
///
/// ```swift
/// do { events = try ProjectDecider.decide(command, state: state, context: ctx) }
/// catch let error as DomainError where error.code == .invalidTransition { … }
/// ```
public struct DomainError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A stable, machine-readable error code. New codes may be added; match with `==`.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Base: String, Sendable, Hashable {
            case invalidInput = "invalid_input"
            case invalidTransition = "invalid_transition"
            case notFound = "not_found"
            case alreadyExists = "already_exists"
            case readOnly = "read_only"
            case reasonRequired = "reason_required"
            case approvalMissing = "approval_missing"
            case staleRevision = "stale_revision"
            case peLicenseRequired = "pe_license_required"
            case lastOwner = "last_owner"
            case deleted = "deleted"
            case unknownEventType = "unknown_event_type"
            case invalidText = "invalid_text"
            case projectLocked = "project_locked"
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// An input value is missing, malformed or out of range.
        public static let invalidInput = Code(.invalidInput)
        /// The status change is not allowed from the current status.
        public static let invalidTransition = Code(.invalidTransition)
        /// The thing named does not exist.
        public static let notFound = Code(.notFound)
        /// The thing to create exists already.
        public static let alreadyExists = Code(.alreadyExists)
        /// The project is archived and cannot change until restored.
        public static let readOnly = Code(.readOnly)
        /// This change needs a reason.
        public static let reasonRequired = Code(.reasonRequired)
        /// Approving the project needs every calculation's latest revision approved.
        public static let approvalMissing = Code(.approvalMissing)
        /// The approval names a revision that is not the latest.
        public static let staleRevision = Code(.staleRevision)
        /// The acting user has no valid PE license.
        public static let peLicenseRequired = Code(.peLicenseRequired)
        /// The account would be left without an owner.
        public static let lastOwner = Code(.lastOwner)
        /// The project is deleted.
        public static let deleted = Code(.deleted)
        /// An event type this version of the domain does not know.
        public static let unknownEventType = Code(.unknownEventType)
        /// A text field holds a control character (see ``TextRules``).
        public static let invalidText = Code(.invalidText)
        /// The project is approved or later: its calculations are frozen until it is reopened.
        public static let projectLocked = Code(.projectLocked)

        /// The code's text, e.g. `invalid_transition`.
        public var description: String { base.rawValue }
    }

    /// What kind of refusal this is.
    public var code: Code
    /// A sentence a person can act on. Safe to show: it never holds secrets.
    public var message: String
    /// The input field the message is about (dotted path), if any.
    public var field: String?

    /// An error.
    public init(_ code: Code, _ message: String, field: String? = nil) {
        self.code = code
        self.message = message
        self.field = field
    }

    /// `code: message`.
    public var description: String { field.map { "\(code) (\($0)): \(message)" } ?? "\(code): \(message)" }
}
