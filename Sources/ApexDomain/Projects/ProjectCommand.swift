public import Foundation

/// What a user asks of a project. ``ProjectDecider`` turns it into events or a ``DomainError``.
public enum ProjectCommand: Sendable, Hashable {
    /// Create a project with these fields.
    case create(projectID: UUID, fields: ProjectFields)
    /// Change descriptive fields (a JSON merge patch over ``ProjectFields/names``).
    case update(changes: [String: JSONValue])
    /// Move to another status. `approved`, `archived` and reopening (`approved -> estimating`) need a reason.
    case changeStatus(to: ProjectStatus, reason: String?)
    /// Soft-delete, with a reason.
    case delete(reason: String?)
    /// Undo a soft delete, with a reason.
    case restore(reason: String?)
    /// Restore the descriptive fields of version `toVersion`, whose fields the caller read by replay.
    case revert(toVersion: Int64, fieldsThen: ProjectFields, reason: String?)
    /// Run a new calculation.
    case runCalculation(calculationID: UUID, type: CalculationType, inputs: [String: JSONValue])
    /// Run an existing calculation again with new inputs: its next revision.
    case reviseCalculation(calculationID: UUID, inputs: [String: JSONValue])
    /// Approve one revision of a calculation as a PE.
    case approveCalculation(calculationID: UUID, revision: Int, approver: UUID, license: PELicense?, reason: String?)
    /// Attach a new file (its revision 1), whose bytes are stored already; `status` is
    /// `pending_scan` when a scanner is configured, else `unscanned`.
    case uploadFile(fileID: UUID, content: FileContent, status: FileScanStatus)
    /// Add the next revision of a file.
    case reviseFile(fileID: UUID, content: FileContent, status: FileScanStatus)
    /// Soft-delete a file, with a reason.
    case deleteFile(fileID: UUID, reason: String?)
    /// Record a scanner's verdict (`clean` or `infected`) on a revision.
    case recordFileScan(FileScanned)
    /// Record that a signed direct link to a revision was handed out.
    case createFileLink(fileID: UUID, revision: Int, expiresAt: Date)
    /// Record the thumbnail made of a servable revision (`unscanned` or `clean`).
    case recordFileThumbnail(FileThumbnailCreated)
}

/// The facts a decision needs that are not in the state: the time of the decision and, for a
/// project's `client_id`, the account's client users.
public struct DecisionContext: Sendable, Hashable {
    /// When the command is decided (for PE license expiry).
    public var now: Date
    /// The account's active client users: a `client_id` that a command sets or changes must be one
    /// of them. Nil leaves `client_id` unchecked (a caller without the account at hand).
    public var clients: Set<UUID>?

    /// A context.
    public init(now: Date, clients: Set<UUID>? = nil) {
        self.now = now
        self.clients = clients
    }
}
