public import Foundation

/// `project.created`: a project came into being, in status `draft`.
public struct ProjectCreated: DomainEvent {
    /// `project.created`.
    public static let type = "project.created"
    /// The new project.
    public var projectID: UUID
    /// Its descriptive fields.
    public var fields: ProjectFields

    /// The payload.
    public init(projectID: UUID, fields: ProjectFields) {
        self.projectID = projectID
        self.fields = fields
    }

    enum CodingKeys: String, CodingKey {
        case projectID = "project_id"
        case fields
    }
}

/// `project.updated`: some descriptive fields changed; `changes` holds their new values.
public struct ProjectUpdated: DomainEvent {
    /// `project.updated`.
    public static let type = "project.updated"
    /// Field name (see ``ProjectFields/names``) to its new JSON value.
    public var changes: [String: JSONValue]

    /// The payload.
    public init(changes: [String: JSONValue]) { self.changes = changes }
}

/// `project.status_changed`.
public struct ProjectStatusChanged: DomainEvent {
    /// `project.status_changed`.
    public static let type = "project.status_changed"
    /// The status before.
    public var from: ProjectStatus
    /// The status after.
    public var to: ProjectStatus

    /// The payload.
    public init(from: ProjectStatus, to: ProjectStatus) {
        self.from = from
        self.to = to
    }
}

/// `project.deleted`: a soft delete; the stream and its history stay.
public struct ProjectDeleted: DomainEvent {
    /// `project.deleted`.
    public static let type = "project.deleted"
    /// The payload.
    public init() {}
}

/// `project.restored`: a soft-deleted project is back.
public struct ProjectRestored: DomainEvent {
    /// `project.restored`.
    public static let type = "project.restored"
    /// The payload.
    public init() {}
}

/// `project.reverted`: the descriptive fields as they were at `toVersion`, restored by a new event.
public struct ProjectReverted: DomainEvent {
    /// `project.reverted`.
    public static let type = "project.reverted"
    /// The version whose descriptive fields were restored.
    public var toVersion: Int64
    /// Those fields.
    public var fields: ProjectFields

    /// The payload.
    public init(toVersion: Int64, fields: ProjectFields) {
        self.toVersion = toVersion
        self.fields = fields
    }

    enum CodingKeys: String, CodingKey {
        case toVersion = "to_version"
        case fields
    }
}

/// `calculation.run`: a calculation's first or next revision, with its result.
public struct CalculationRun: DomainEvent {
    /// `calculation.run`.
    public static let type = "calculation.run"
    /// The calculation.
    public var calculationID: UUID
    /// 1 for the first run; each change of inputs adds one.
    public var revision: Int
    /// Inputs, outputs, engine version and result hash.
    public var result: CalculationResult

    /// The payload.
    public init(calculationID: UUID, revision: Int, result: CalculationResult) {
        self.calculationID = calculationID
        self.revision = revision
        self.result = result
    }

    enum CodingKeys: String, CodingKey {
        case calculationID = "calculation_id"
        case revision, result
    }
}

/// `calculation.approved`: a PE approved one revision (and its result hash, nothing later).
public struct CalculationApproved: DomainEvent {
    /// `calculation.approved`.
    public static let type = "calculation.approved"
    /// The calculation.
    public var calculationID: UUID
    /// The approved revision.
    public var revision: Int
    /// The approved result's hash.
    public var resultHash: String
    /// The approving engineer.
    public var approvedBy: UUID
    /// The license the approval was made under.
    public var peLicense: PELicense

    /// The payload.
    public init(calculationID: UUID, revision: Int, resultHash: String, approvedBy: UUID, peLicense: PELicense) {
        self.calculationID = calculationID
        self.revision = revision
        self.resultHash = resultHash
        self.approvedBy = approvedBy
        self.peLicense = peLicense
    }

    enum CodingKeys: String, CodingKey {
        case calculationID = "calculation_id"
        case revision
        case resultHash = "result_hash"
        case approvedBy = "approved_by"
        case peLicense = "pe_license"
    }
}
