public import Foundation

/// A revision's scan status: what a virus scanner (a later consumer of the log) has said of its bytes.
///
/// A revision starts `unscanned` when no scanner is configured (and is served) or `pending_scan`
/// when one is (and is not served until `file.scanned` says `clean`). `infected` is never served.
public enum FileScanStatus: String, Sendable, Hashable, Codable, CaseIterable {
    /// No scanner looked at it, and none was configured when it was uploaded: served.
    case unscanned
    /// Waiting for the scanner: not served.
    case pendingScan = "pending_scan"
    /// The scanner found nothing: served.
    case clean
    /// The scanner found something: quarantined, never served.
    case infected

    /// Whether the bytes may be served.
    public var isServable: Bool { self == .unscanned || self == .clean }
}

/// `file.uploaded`: a file's first revision (`revision` 1) or its next one. The event records the
/// content hash; the blob store holds the bytes under it.
public struct FileUploaded: DomainEvent {
    /// `file.uploaded`.
    public static let type = "file.uploaded"
    /// The file.
    public var fileID: UUID
    /// 1 for a new file; each new revision adds one.
    public var revision: Int
    /// The bytes' facts and name.
    public var content: FileContent
    /// The scan status the revision starts with.
    public var status: FileScanStatus

    /// The payload.
    public init(fileID: UUID, revision: Int, content: FileContent, status: FileScanStatus) {
        self.fileID = fileID
        self.revision = revision
        self.content = content
        self.status = status
    }

    enum CodingKeys: String, CodingKey {
        case fileID = "file_id"
        case revision, content, status
    }
}

/// `file.deleted`: a soft delete (with a reason); the file is no longer listed or served, and
/// its blobs stay.
public struct FileDeleted: DomainEvent {
    /// `file.deleted`.
    public static let type = "file.deleted"
    /// The file.
    public var fileID: UUID

    /// The payload.
    public init(fileID: UUID) { self.fileID = fileID }

    enum CodingKeys: String, CodingKey { case fileID = "file_id" }
}

/// `file.scanned`: a scanner's verdict on one revision (written by a scanning consumer).
public struct FileScanned: DomainEvent {
    /// `file.scanned`.
    public static let type = "file.scanned"
    /// The file.
    public var fileID: UUID
    /// The revision scanned.
    public var revision: Int
    /// `clean` or `infected`.
    public var result: FileScanStatus
    /// The engine and its signature database version, e.g. `ClamAV 1.4.6/27400`.
    public var engine: String?
    /// The signature found, for `infected`.
    public var signature: String?

    /// The payload.
    public init(fileID: UUID, revision: Int, result: FileScanStatus, engine: String? = nil, signature: String? = nil) {
        self.fileID = fileID
        self.revision = revision
        self.result = result
        self.engine = engine
        self.signature = signature
    }

    enum CodingKeys: String, CodingKey {
        case fileID = "file_id"
        case revision, result, engine, signature
    }
}

/// `file.link_created`: a signed direct link to one revision was handed out, valid until `expiresAt`.
public struct FileLinkCreated: DomainEvent {
    /// `file.link_created`.
    public static let type = "file.link_created"
    /// The file.
    public var fileID: UUID
    /// The revision the link serves.
    public var revision: Int
    /// When the link stops working (whole seconds).
    public var expiresAt: Date

    /// The payload.
    public init(fileID: UUID, revision: Int, expiresAt: Date) {
        self.fileID = fileID
        self.revision = revision
        self.expiresAt = expiresAt
    }

    enum CodingKeys: String, CodingKey {
        case fileID = "file_id"
        case revision
        case expiresAt = "expires_at"
    }
}
