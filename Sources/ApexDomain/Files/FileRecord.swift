public import Foundation

/// One revision of a file, as the project knows it.
public struct FileRevision: Codable, Sendable, Hashable {
    /// 1-based.
    public var revision: Int
    /// Name, media type, size, hash, description.
    public var content: FileContent
    /// The scan status.
    public var status: FileScanStatus
    /// The signature a scanner found (for `infected`).
    public var signature: String?
    /// The small preview image made of it, if one was (`file.thumbnail_created`).
    public var thumbnail: FileThumbnail?
    /// When it was uploaded (the event's time).
    public var createdAt: Date?
    /// Who uploaded it.
    public var createdBy: UUID?

    /// A revision.
    public init(revision: Int, content: FileContent, status: FileScanStatus, signature: String? = nil, createdAt: Date?, createdBy: UUID?) {
        self.revision = revision
        self.content = content
        self.status = status
        self.signature = signature
        self.createdAt = createdAt
        self.createdBy = createdBy
    }

    enum CodingKeys: String, CodingKey {
        case revision, content, status, signature, thumbnail
        case createdAt = "created_at"
        case createdBy = "created_by"
    }
}

/// A file attached to a project: every revision (older ones stay downloadable), and whether it is deleted.
public struct FileRecord: Codable, Sendable, Hashable {
    /// The file.
    public var id: UUID
    /// Revision `n` is `revisions[n - 1]`.
    public var revisions: [FileRevision]
    /// Soft-deleted: not listed, not served.
    public var deleted: Bool

    /// A record.
    public init(id: UUID, revisions: [FileRevision], deleted: Bool = false) {
        self.id = id
        self.revisions = revisions
        self.deleted = deleted
    }

    /// The latest revision number.
    public var latestRevision: Int { revisions.count }
    /// The latest revision.
    public var latest: FileRevision { revisions[revisions.count - 1] }

    /// Revision `n`, if it exists.
    public func revision(_ n: Int) -> FileRevision? {
        n >= 1 && n <= revisions.count ? revisions[n - 1] : nil
    }

    /// Folds a file event into the record (or makes the record from a first upload).
    static func apply(_ event: EventEnvelope, to files: inout [UUID: FileRecord]) throws {
        switch event.type {
        case FileUploaded.type:
            let e = try event.payload(as: FileUploaded.self)
            var record = files[e.fileID] ?? FileRecord(id: e.fileID, revisions: [])
            record.revisions.append(
                FileRevision(revision: e.revision, content: e.content, status: e.status, createdAt: event.recordedAt, createdBy: event.actor.userID))
            files[e.fileID] = record
        case FileDeleted.type:
            files[try event.payload(as: FileDeleted.self).fileID]?.deleted = true
        case FileScanned.type:
            let e = try event.payload(as: FileScanned.self)
            guard e.revision >= 1, e.revision <= files[e.fileID]?.revisions.count ?? 0 else { return }
            files[e.fileID]?.revisions[e.revision - 1].status = e.result
            files[e.fileID]?.revisions[e.revision - 1].signature = e.signature
        case FileThumbnailCreated.type:
            let e = try event.payload(as: FileThumbnailCreated.self)
            guard e.revision >= 1, e.revision <= files[e.fileID]?.revisions.count ?? 0 else { return }
            files[e.fileID]?.revisions[e.revision - 1].thumbnail = e.image
        default:
            break  // file.link_created changes nothing but the version.
        }
    }

    /// The event types ``apply(_:to:)`` folds.
    static let eventTypes: Set<String> = [FileUploaded.type, FileDeleted.type, FileScanned.type, FileLinkCreated.type, FileThumbnailCreated.type]
}
