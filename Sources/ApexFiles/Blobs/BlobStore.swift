import ApexDomain
import Crypto
public import Foundation
public import NIOCore

/// A blob as stored: its address (the SHA-256 of its bytes, lowercase hex) and size.
public struct StoredBlob: Sendable, Hashable {
    /// Lowercase hex SHA-256 of the bytes.
    public var sha256: String
    /// Bytes.
    public var size: Int64

    /// A blob.
    public init(sha256: String, size: Int64) {
        self.sha256 = sha256
        self.size = size
    }
}

/// What a check of a stored blob found.
public enum BlobCheck: Sendable, Hashable {
    /// Present, and its bytes hash to its name.
    case intact
    /// Not in the store.
    case missing
    /// Present, but its bytes hash to something else.
    case altered(actualSHA256: String)
}

/// Where file bytes live: content-addressed by SHA-256, written to a temporary place and made
/// visible under their hash only once complete, so an interrupted upload leaves nothing.
///
/// ```swift
/// let writer = try await store.makeWriter()
/// for try await chunk in body { try await writer.write(chunk) }
/// let blob = try await writer.commit()   // or `await writer.abort()`
/// ```
public protocol BlobStore: Sendable {
    /// A writer for a new blob, hashing as it writes.
    func makeWriter() async throws -> any BlobWriter
    /// The size of a stored blob, or nil when the store does not hold it.
    func size(of sha256: String) async throws -> Int64?
    /// Reads the whole blob and compares its hash with its name.
    func check(_ sha256: String) async throws -> BlobCheck
    /// Calls `body` with the bytes of `range` (the whole blob when nil), a chunk at a time.
    func read(_ sha256: String, range: Range<Int64>?, _ body: (ByteBuffer) async throws -> Void) async throws
    /// Deletes unfinished blobs last written before `cutoff` (uploads cut off by a crash: an
    /// upload in progress writes continually) and returns how many; finished blobs are never
    /// touched.
    func removeAbandoned(writtenBefore cutoff: Date) async throws -> Int
}

/// A blob being written. Exactly one of ``commit()`` and ``abort()`` ends it.
public protocol BlobWriter: Sendable {
    /// Bytes written so far.
    var size: Int64 { get async }
    /// Appends bytes (and hashes them).
    func write(_ chunk: ByteBuffer) async throws
    /// Flushes the bytes to disk and makes them visible under their hash.
    func commit() async throws -> StoredBlob
    /// Throws the bytes away; nothing stays visible.
    func abort() async
}

extension BlobStore {
    /// Reads the whole blob and hashes it (every store's check: a blob is intact exactly when its
    /// bytes hash to its name).
    public func check(_ sha256: String) async throws -> BlobCheck {
        guard try await size(of: sha256) != nil else { return .missing }
        var hasher = SHA256()
        try await read(sha256, range: nil) { chunk in chunk.withUnsafeReadableBytes { hasher.update(bufferPointer: $0) } }
        let actual = EventHash.hex(hasher.finalize())
        return actual == sha256 ? .intact : .altered(actualSHA256: actual)
    }
}
