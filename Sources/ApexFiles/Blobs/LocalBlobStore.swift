import ApexStore
public import Foundation
public import NIOCore
import NIOPosix

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Blobs in a local folder: `sha256/ab/abcd…` for the blob whose hash starts `ab`, written first
/// under `tmp/` and renamed into place once flushed. Files are 0600 and folders 0700.
///
/// Blocking file calls run on NIO's thread pool, never on the concurrency pool.
public struct LocalBlobStore: BlobStore {
    /// The folder.
    public let root: URL
    /// Bytes read at a time when serving or checking a blob.
    public var chunkSize = 256 * 1024

    /// A store in `root` (created on first write).
    public init(root: URL) { self.root = root }

    /// Where the blob with this hash lives; nil for a string that is not a SHA-256 (so a name
    /// from outside can never point elsewhere on disk).
    public func path(_ sha256: String) -> String? {
        guard sha256.utf8.count == 64, sha256.utf8.allSatisfy({ (48...57).contains($0) || (97...102).contains($0) }) else { return nil }
        return root.appendingPathComponent("sha256").appendingPathComponent(String(sha256.prefix(2))).appendingPathComponent(sha256).path
    }

    /// Starts a blob in `tmp/`.
    public func makeWriter() async throws -> any BlobWriter {
        let folder = root.appendingPathComponent("tmp")
        let path = folder.appendingPathComponent("\(UUID().uuidString).part").path
        let fd = try await Self.blocking {
            try PrivateFiles.createFolder(folder)
            let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
            guard fd >= 0 else { throw Self.failure("cannot create a temporary blob file") }
            return fd
        }
        return LocalBlobWriter(store: self, fd: fd, temporaryPath: path)
    }

    /// Deletes the files in `tmp/` last modified before `cutoff`.
    public func removeAbandoned(writtenBefore cutoff: Date) async throws -> Int {
        let folder = root.appendingPathComponent("tmp")
        return try await Self.blocking {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
            var removed = 0
            for name in names {
                let path = folder.appendingPathComponent(name).path
                let attributes = try? FileManager.default.attributesOfItem(atPath: path)
                guard let modified = attributes?[.modificationDate] as? Date, modified < cutoff else { continue }
                if (try? FileManager.default.removeItem(atPath: path)) != nil { removed += 1 }
            }
            return removed
        }
    }

    /// The blob's size, or nil.
    public func size(of sha256: String) async throws -> Int64? {
        guard let path = path(sha256) else { return nil }
        return try await Self.blocking {
            var info = stat()
            guard stat(path, &info) == 0 else { return nil }
            return Int64(info.st_size)
        }
    }

    /// Streams `range` of the blob through `body`.
    public func read(_ sha256: String, range: Range<Int64>?, _ body: (ByteBuffer) async throws -> Void) async throws {
        guard let path = path(sha256) else { throw FilesError(.blobMissing, "no blob \(sha256)") }
        let fd = try await Self.blocking {
            let fd = open(path, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else { throw FilesError(.blobMissing, "the store holds no blob \(sha256)") }
            return fd
        }
        defer { close(fd) }
        var offset = range?.lowerBound ?? 0
        let end = range?.upperBound ?? .max
        let chunk = chunkSize
        while offset < end {
            let want = Int(min(Int64(chunk), end - offset))
            let start = offset
            let buffer = try await Self.blocking { () throws -> ByteBuffer in
                var buffer = ByteBufferAllocator().buffer(capacity: want)
                var failed = false
                buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: want) { raw in
                    let n = pread(fd, raw.baseAddress, want, off_t(start))
                    failed = n < 0
                    return max(0, n)
                }
                guard !failed else { throw Self.failure("cannot read a blob") }
                return buffer
            }
            if buffer.readableBytes == 0 { break }
            offset += Int64(buffer.readableBytes)
            try await body(buffer)
        }
    }

    /// Runs a blocking file call on NIO's thread pool.
    static func blocking<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await NIOThreadPool.singleton.runIfActive(work)
    }

    static func failure(_ what: String) -> FilesError {
        FilesError(.storage, "\(what): \(String(cString: strerror(errno)))")
    }
}
