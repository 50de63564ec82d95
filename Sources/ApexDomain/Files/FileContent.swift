import Foundation

/// What an upload stored: the name and media type the client gave, and the size and SHA-256 of
/// the bytes the server received (the blob's address).
public struct FileContent: Codable, Sendable, Hashable {
    /// The file name as the client sent it (checked by ``validate()``).
    public var name: String
    /// The media type, e.g. `application/pdf`.
    public var contentType: String
    /// Bytes.
    public var size: Int64
    /// Lowercase hex SHA-256 of the bytes.
    public var sha256: String
    /// An optional note from the uploader.
    public var description: String?

    /// The content of one revision.
    public init(name: String, contentType: String, size: Int64, sha256: String, description: String? = nil) {
        self.name = name
        self.contentType = contentType
        self.size = size
        self.sha256 = sha256
        self.description = description
    }

    enum CodingKeys: String, CodingKey {
        case name, size, sha256, description
        case contentType = "content_type"
    }

    /// The longest file name, in UTF-8 bytes (most file systems' limit).
    public static let nameLimit = 255

    /// Refuses what a stored file may not be: an empty file; a name that is empty, too long, `.`
    /// or `..`, or holds a path separator or a control character; a media type that is not
    /// `type/subtype`; a hash that is not 64 lowercase hex digits; a description over 2000 characters.
    public func validate() throws(DomainError) {
        guard size > 0 else { throw DomainError(.invalidInput, "the file is empty", field: "file") }
        guard !name.isEmpty, name.utf8.count <= Self.nameLimit, name != ".", name != ".." else {
            throw DomainError(.invalidInput, "the file name must be 1-\(Self.nameLimit) bytes and not . or ..", field: "file.filename")
        }
        guard !name.contains("/"), !name.contains("\\") else {
            throw DomainError(.invalidInput, "the file name must not contain a path separator (/ or \\)", field: "file.filename")
        }
        try TextRules.check(name, field: "file.filename")
        guard Self.isMediaType(contentType) else {
            throw DomainError(.invalidInput, "the file's content type must be a media type such as application/pdf", field: "file.content_type")
        }
        guard Self.isSHA256(sha256) else { throw DomainError(.invalidInput, "sha256 must be 64 lowercase hex digits", field: "sha256") }
        if let description {
            guard description.count <= 2000 else {
                throw DomainError(.invalidInput, "description must be at most 2000 characters", field: "description")
            }
            try TextRules.check(description, field: "description", multiline: true)
        }
    }

    /// Whether `text` is a SHA-256 as blobs are named: 64 lowercase hex digits.
    public static func isSHA256(_ text: String) -> Bool {
        text.utf8.count == 64 && text.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
    }

    /// `type/subtype` of RFC 9110 token characters (parameters such as `; charset=utf-8` allowed), at most 255 bytes.
    static func isMediaType(_ text: String) -> Bool {
        guard text.utf8.count <= 255 else { return false }
        let essence = text.split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false)[0]
        let parts = essence.trimmingCharacters(in: .whitespaces).split(separator: "/", omittingEmptySubsequences: false)
        let token = Set("!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
        return parts.count == 2 && parts.allSatisfy { !$0.isEmpty && $0.allSatisfy(token.contains) }
            && text.unicodeScalars.allSatisfy { $0.value >= 0x20 && $0.value < 0x7F }
    }
}
