/// Why a file operation failed: a stable ``Code`` and a message safe to show (no paths of the
/// server's disk, no keys).
public struct FilesError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A stable code. New codes may be added; match with `==`.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Base: String, Sendable, Hashable {
            case tooLarge = "file_too_large"
            case malformedUpload = "malformed_upload"
            case missingFile = "missing_file"
            case unknownPart = "unknown_field"
            case blobMissing = "blob_missing"
            case blobCorrupt = "blob_corrupt"
            case invalidURL = "invalid_blob_url"
            case storage = "blob_storage_failed"
            case invalidScanner = "invalid_scanner_address"
            case scannerUnavailable = "scanner_unavailable"
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The upload is larger than the limit.
        public static let tooLarge = Code(.tooLarge)
        /// The body is not a well-formed, complete `multipart/form-data` body.
        public static let malformedUpload = Code(.malformedUpload)
        /// The body has no `file` part.
        public static let missingFile = Code(.missingFile)
        /// The body has a part other than `file` and `description`.
        public static let unknownPart = Code(.unknownPart)
        /// An event names a blob the store does not hold.
        public static let blobMissing = Code(.blobMissing)
        /// A blob's bytes do not hash to its name.
        public static let blobCorrupt = Code(.blobCorrupt)
        /// `APEX_BLOB_URL` is not one this version understands.
        public static let invalidURL = Code(.invalidURL)
        /// The blob store could not write or read.
        public static let storage = Code(.storage)
        /// `APEX_CLAMD` is not `tcp://host:port` or `unix:/path`.
        public static let invalidScanner = Code(.invalidScanner)
        /// The virus scanner did not answer, or answered something that is not a verdict.
        public static let scannerUnavailable = Code(.scannerUnavailable)

        /// The code's text, e.g. `file_too_large`.
        public var description: String { base.rawValue }
    }

    /// What kind of failure.
    public var code: Code
    /// A sentence a person can act on.
    public var message: String
    /// The request field it is about, if any.
    public var field: String?

    /// An error.
    public init(_ code: Code, _ message: String, field: String? = nil) {
        self.code = code
        self.message = message
        self.field = field
    }

    /// `code: message`.
    public var description: String { "\(code): \(message)" }
}
