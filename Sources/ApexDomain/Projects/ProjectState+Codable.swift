import Foundation

extension CalculationRecord: Codable {
    enum CodingKeys: String, CodingKey {
        case id, revisions, approvals
    }

    /// Decodes a record; approvals are a list.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(UUID.self, forKey: .id)
        revisions = try c.decode([CalculationResult].self, forKey: .revisions)
        approvals = Dictionary(try c.decode([CalculationApproved].self, forKey: .approvals).map { ($0.revision, $0) }, uniquingKeysWith: { $1 })
    }

    /// Encodes a record; approvals as a list by revision.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(revisions, forKey: .revisions)
        try c.encode(approvals.values.sorted { $0.revision < $1.revision }, forKey: .approvals)
    }
}

extension ProjectState: Codable {
    enum CodingKeys: String, CodingKey {
        case id, fields, status, deleted, version, calculations, files
        case accountID = "account_id"
        case statusBeforeArchive = "status_before_archive"
        case createdAt = "created_at"
        case createdBy = "created_by"
        case updatedAt = "updated_at"
        case updatedBy = "updated_by"
    }

    /// Decodes a state (as read models keep it).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init()
        id = try c.decodeIfPresent(UUID.self, forKey: .id)
        accountID = try c.decodeIfPresent(UUID.self, forKey: .accountID)
        fields = try c.decode(ProjectFields.self, forKey: .fields)
        status = try c.decode(ProjectStatus.self, forKey: .status)
        statusBeforeArchive = try c.decodeIfPresent(ProjectStatus.self, forKey: .statusBeforeArchive)
        deleted = try c.decode(Bool.self, forKey: .deleted)
        version = try c.decode(Int64.self, forKey: .version)
        createdAt = try c.decodeIfPresent(Date.self, forKey: .createdAt)
        createdBy = try c.decodeIfPresent(UUID.self, forKey: .createdBy)
        updatedAt = try c.decodeIfPresent(Date.self, forKey: .updatedAt)
        updatedBy = try c.decodeIfPresent(UUID.self, forKey: .updatedBy)
        calculations = Dictionary(
            try c.decode([CalculationRecord].self, forKey: .calculations).map { ($0.id, $0) }, uniquingKeysWith: { $1 })
        files = Dictionary(
            try c.decodeIfPresent([FileRecord].self, forKey: .files)?.map { ($0.id, $0) } ?? [], uniquingKeysWith: { $1 })
    }

    /// Encodes a state; calculations as a list sorted by id.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeIfPresent(id, forKey: .id)
        try c.encodeIfPresent(accountID, forKey: .accountID)
        try c.encode(fields, forKey: .fields)
        try c.encode(status, forKey: .status)
        try c.encodeIfPresent(statusBeforeArchive, forKey: .statusBeforeArchive)
        try c.encode(deleted, forKey: .deleted)
        try c.encode(version, forKey: .version)
        try c.encodeIfPresent(createdAt, forKey: .createdAt)
        try c.encodeIfPresent(createdBy, forKey: .createdBy)
        try c.encodeIfPresent(updatedAt, forKey: .updatedAt)
        try c.encodeIfPresent(updatedBy, forKey: .updatedBy)
        try c.encode(calculations.valuesInIDOrder, forKey: .calculations)
        if !files.isEmpty { try c.encode(files.valuesInIDOrder, forKey: .files) }
    }
}
