public import ApexFiles
import AsyncHTTPClient
public import Foundation
public import NIOCore
import NIOHTTP1

/// File blobs in an S3-compatible bucket (`APEX_BLOB_URL=s3://bucket/prefix`, with the `AWS_*`
/// settings backups use; see ``BlobStores/open(_:environment:)``): each blob is the object
/// `<prefix>sha256/<sha256>`, so several servers share one bucket.
///
/// An upload is written and hashed in a local spool folder first (``LocalBlobStore``), then sent
/// in one PUT signed with that SHA-256 (S3 rejects a body that changed on the way) and removed
/// from the spool: an interrupted upload leaves no object, and an object is complete once it
/// exists. Reads stream the object (a `Range` request for a part), never holding it whole.
public struct S3BlobStore: BlobStore {
    /// The bucket and prefix.
    public let target: S3Target
    /// Where uploads are written before they are sent.
    public let spool: LocalBlobStore
    /// Bytes per chunk sent from the spool.
    public var chunkSize = 1 << 20

    /// Blobs in `target`, spooling uploads under `spool`.
    public init(target: S3Target, spool: URL) {
        self.target = target
        self.spool = LocalBlobStore(root: spool)
    }

    /// The object key of a blob; nil for a string that is not a SHA-256.
    static func key(_ sha256: String) -> String? {
        guard sha256.utf8.count == 64, sha256.utf8.allSatisfy({ (48...57).contains($0) || (97...102).contains($0) }) else { return nil }
        return "sha256/\(sha256)"
    }

    /// A writer into the spool that sends the blob to the bucket when committed.
    public func makeWriter() async throws -> any BlobWriter {
        S3BlobWriter(local: try await spool.makeWriter(), store: self)
    }

    /// The object's size (a HEAD request); nil when the bucket has no such blob.
    public func size(of sha256: String) async throws -> Int64? {
        guard let key = Self.key(sha256) else { return nil }
        let response = try await bucketCall { try await target.execute("HEAD", try target.objectPath(key)) }
        if response.status.code == 404 { return nil }
        guard (200..<300).contains(response.status.code), let length = response.headers.first(name: "content-length").flatMap(Int64.init) else {
            throw FilesError(.storage, "cannot read the size of blob \(sha256) in \(target) (HTTP \(response.status.code))")
        }
        return length
    }

    /// Streams the object (or `range` of it) to `body` as it arrives.
    public func read(_ sha256: String, range: Range<Int64>?, _ body: (ByteBuffer) async throws -> Void) async throws {
        guard let key = Self.key(sha256) else { throw FilesError(.blobMissing, "no blob \(sha256)") }
        if let range, range.isEmpty { return }
        let headers = range.map { [(name: "range", value: "bytes=\($0.lowerBound)-\($0.upperBound - 1)")] } ?? []
        let response = try await bucketCall { try await target.execute("GET", try target.objectPath(key), headers: headers) }
        switch response.status.code {
        case 200, 206:
            for try await chunk in response.body { try await body(chunk) }
        case 404:
            throw FilesError(.blobMissing, "the bucket holds no blob \(sha256)")
        default:
            throw FilesError(.storage, "cannot read blob \(sha256) from \(target) (HTTP \(response.status.code))")
        }
    }

    /// Removes spooled uploads older than `cutoff` (the bucket never holds a partial object).
    public func removeAbandoned(writtenBefore cutoff: Date) async throws -> Int {
        try await spool.removeAbandoned(writtenBefore: cutoff)
    }

    /// Sends the spooled blob to the bucket, signed with its SHA-256, then removes it from the spool.
    func upload(_ blob: StoredBlob) async throws {
        guard let key = Self.key(blob.sha256), let path = spool.path(blob.sha256) else {
            throw FilesError(.storage, "the spool holds no blob \(blob.sha256)")
        }
        let checksum = Data(hex: blob.sha256).base64EncodedString()
        let response = try await bucketCall {
            try await target.execute(
                "PUT", try target.objectPath(key),
                headers: [("content-type", "application/octet-stream"), ("x-amz-sdk-checksum-algorithm", "SHA256"),
                          ("x-amz-checksum-sha256", checksum), ("content-length", "\(blob.size)")],
                body: .stream(FileChunks(path: path, chunkSize: chunkSize), length: .known(blob.size)), payloadSHA256: blob.sha256)
        }
        _ = try? await response.body.collect(upTo: 1 << 20)
        guard (200..<300).contains(response.status.code) else {
            throw FilesError(.storage, "cannot store blob \(blob.sha256) in \(target) (HTTP \(response.status.code))")
        }
        try? FileManager.default.removeItem(atPath: path)
    }

    /// `work`, its ``BackupError`` (a failed connection) as ``FilesError/Code/storage``.
    private func bucketCall<T>(_ work: () async throws -> T) async throws -> T {
        do { return try await work() } catch let error as BackupError { throw FilesError(.storage, error.description) }
    }
}

/// A writer into the spool that sends the blob to the bucket on commit.
struct S3BlobWriter: BlobWriter {
    let local: any BlobWriter
    let store: S3BlobStore

    var size: Int64 { get async { await local.size } }
    func write(_ chunk: ByteBuffer) async throws { try await local.write(chunk) }
    func abort() async { await local.abort() }

    func commit() async throws -> StoredBlob {
        let blob = try await local.commit()
        try await store.upload(blob)
        return blob
    }
}

/// A file's bytes as a sequence of chunks, each read when asked for: a PUT body that never
/// holds more than one chunk.
struct FileChunks: AsyncSequence, Sendable {
    typealias Element = ByteBuffer
    let path: String
    let chunkSize: Int

    func makeAsyncIterator() -> Iterator { Iterator(handle: FileHandle(forReadingAtPath: path), chunkSize: chunkSize) }

    struct Iterator: AsyncIteratorProtocol {
        let handle: FileHandle?
        let chunkSize: Int

        mutating func next() async throws -> ByteBuffer? {
            guard let handle else { throw FilesError(.blobMissing, "a spooled upload vanished before it was sent") }
            guard let data = try handle.read(upToCount: chunkSize), !data.isEmpty else {
                try? handle.close()
                return nil
            }
            return ByteBuffer(bytes: data)
        }
    }
}

extension Data {
    /// The bytes a lowercase hex string spells (pairs of digits; anything else is skipped).
    init(hex: String) {
        var bytes: [UInt8] = []
        var index = hex.startIndex
        while let next = hex.index(index, offsetBy: 2, limitedBy: hex.endIndex), index < hex.endIndex {
            if let byte = UInt8(hex[index..<next], radix: 16) { bytes.append(byte) }
            index = next
        }
        self.init(bytes)
    }
}
