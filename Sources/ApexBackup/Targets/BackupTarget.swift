public import Foundation

/// Where backups live: a local folder or an S3-compatible bucket, as flat keys (`base/…`, `segments/…`).
///
/// Every `put` is verified: the local target re-reads and compares the SHA-256, the S3 target
/// sends the SHA-256 checksum and the server rejects a body that does not match.
public protocol BackupTarget: Sendable, CustomStringConvertible {
    /// Stores `data` under `key`, replacing what was there.
    func put(_ key: String, _ data: Data) async throws
    /// The data under `key`; throws ``BackupError/Code/notFound`` when absent.
    func get(_ key: String) async throws -> Data
    /// Every key that starts with `prefix`, sorted.
    func list(prefix: String) async throws -> [String]
    /// Deletes `key` (no error when absent).
    func delete(_ key: String) async throws
}

/// Why a backup operation failed.
public struct BackupError: Error, Sendable, CustomStringConvertible {
    /// A stable code.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Base: String, Sendable { case notFound = "not_found", invalidDestination = "invalid_destination", transfer, corrupt, refused, toolMissing = "tool_missing", invalidKey = "invalid_key" }
        private let base: Base
        private init(_ base: Base) { self.base = base }
        /// A key or backup is missing.
        public static let notFound = Code(.notFound)
        /// The destination cannot be understood or reached.
        public static let invalidDestination = Code(.invalidDestination)
        /// Moving bytes failed (network, disk, checksum mismatch on upload).
        public static let transfer = Code(.transfer)
        /// A backup's content does not match its manifest or hashes.
        public static let corrupt = Code(.corrupt)
        /// The operation would destroy data and was not forced.
        public static let refused = Code(.refused)
        /// A runtime tool (pg_dump, pg_restore) is not installed.
        public static let toolMissing = Code(.toolMissing)
        /// A key or a manifest's file name is not a plain relative key inside the backup
        /// (`..`, `.`, an empty or absolute path, a backslash or NUL): it would read or write elsewhere.
        public static let invalidKey = Code(.invalidKey)
        /// The code's text.
        public var description: String { base.rawValue }
    }

    /// What went wrong.
    public var code: Code
    /// A message safe to show (no credentials).
    public var message: String

    /// An error.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// `code: message`.
    public var description: String { "\(code): \(message)" }
}
