public import Foundation

/// A small preview image of a revision (at most ``maximumSide`` pixels a side), kept as a blob
/// beside the file's bytes.
public struct FileThumbnail: Codable, Sendable, Hashable {
    /// The longest side a thumbnail may have, in pixels.
    public static let maximumSide = 256
    /// The media types a thumbnail may have.
    public static let mediaTypes: Set<String> = ["image/png", "image/webp"]

    /// Lowercase hex SHA-256 of the image (its blob's address).
    public var sha256: String
    /// `image/png` or `image/webp`.
    public var contentType: String
    /// Bytes.
    public var size: Int64
    /// Pixels.
    public var width: Int
    /// Pixels.
    public var height: Int

    /// A thumbnail.
    public init(sha256: String, contentType: String, size: Int64, width: Int, height: Int) {
        self.sha256 = sha256
        self.contentType = contentType
        self.size = size
        self.width = width
        self.height = height
    }

    enum CodingKeys: String, CodingKey {
        case sha256, size, width, height
        case contentType = "content_type"
    }

    /// Refuses a hash that is not 64 lowercase hex digits, a media type other than PNG or WebP,
    /// an empty image, or a side outside 1...``maximumSide``.
    public func validate() throws(DomainError) {
        guard FileContent.isSHA256(sha256) else { throw DomainError(.invalidInput, "sha256 must be 64 lowercase hex digits", field: "sha256") }
        guard Self.mediaTypes.contains(contentType) else {
            throw DomainError(.invalidInput, "a thumbnail is image/png or image/webp", field: "content_type")
        }
        guard size > 0, (1...Self.maximumSide).contains(width), (1...Self.maximumSide).contains(height) else {
            throw DomainError(.invalidInput, "a thumbnail is 1-\(Self.maximumSide) pixels a side and not empty", field: "width")
        }
    }
}

/// `file.thumbnail_created`: a preview of one servable revision was made (by the thumbnail
/// consumer) and stored as a blob.
public struct FileThumbnailCreated: DomainEvent {
    /// `file.thumbnail_created`.
    public static let type = "file.thumbnail_created"
    /// The file.
    public var fileID: UUID
    /// The revision shown.
    public var revision: Int
    /// The image.
    public var image: FileThumbnail

    /// The payload.
    public init(fileID: UUID, revision: Int, image: FileThumbnail) {
        self.fileID = fileID
        self.revision = revision
        self.image = image
    }

    enum CodingKeys: String, CodingKey {
        case fileID = "file_id"
        case revision, image
    }
}
