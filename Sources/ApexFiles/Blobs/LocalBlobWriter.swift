import ApexDomain
import ApexStore
import Crypto
import Foundation
import NIOCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A blob being written to `tmp/` of a ``LocalBlobStore``: hashed as it is written, flushed
/// (`fsync`) and renamed under its hash on ``commit()``, removed on ``abort()``.
actor LocalBlobWriter: BlobWriter {
    private let store: LocalBlobStore
    private var fd: Int32
    private let temporaryPath: String
    private var hasher = SHA256()
    private(set) var size: Int64 = 0
    /// Bytes written but not yet in the file (up to ``flushSize``).
    private var pending = ByteBuffer()

    init(store: LocalBlobStore, fd: Int32, temporaryPath: String) {
        self.store = store
        self.fd = fd
        self.temporaryPath = temporaryPath
    }

    func write(_ chunk: ByteBuffer) async throws {
        guard fd >= 0 else { throw FilesError(.storage, "the blob is finished") }
        chunk.withUnsafeReadableBytes { hasher.update(bufferPointer: $0) }
        size += Int64(chunk.readableBytes)
        var chunk = chunk
        pending.writeBuffer(&chunk)
        if pending.readableBytes >= Self.flushSize { try await flush() }
    }

    /// Bytes gathered before one write to the file: a request body arrives in pieces of a few
    /// KiB, and a trip to the I/O thread for each cost more than the write (5 MiB/s).
    static let flushSize = 1 << 20

    /// Writes what is gathered to the file, off the cooperative pool.
    private func flush() async throws {
        guard pending.readableBytes > 0 else { return }
        let chunk = pending
        pending = ByteBuffer()
        pending.reserveCapacity(Self.flushSize)
        let fd = self.fd
        try await LocalBlobStore.blocking {
            try chunk.withUnsafeReadableBytes { raw in
                var done = 0
                while done < raw.count {
                    let n = systemWrite(fd, raw.baseAddress! + done, raw.count - done)
                    if n < 0, errno == EINTR { continue }
                    guard n > 0 else { throw LocalBlobStore.failure("cannot write a blob") }
                    done += n
                }
            }
        }
    }

    func commit() async throws -> StoredBlob {
        guard fd >= 0 else { throw FilesError(.storage, "the blob is finished") }
        do { try await flush() } catch {
            await abort()
            throw error
        }
        let sha256 = EventHash.hex(hasher.finalize())
        let (fd, temporary) = (self.fd, temporaryPath)
        self.fd = -1
        let final = store.path(sha256)!
        do {
            try await LocalBlobStore.blocking {
                defer { close(fd) }
                guard fsync(fd) == 0 else { throw LocalBlobStore.failure("cannot flush a blob") }
                let folder = URL(fileURLWithPath: final).deletingLastPathComponent()
                try PrivateFiles.createFolder(folder)
                // The same hash is the same bytes: renaming over an existing blob changes nothing.
                guard rename(temporary, final) == 0 else { throw LocalBlobStore.failure("cannot move a blob into place") }
                let dir = open(folder.path, O_RDONLY | O_DIRECTORY)
                if dir >= 0 {
                    _ = fsync(dir)
                    close(dir)
                }
            }
        } catch {
            unlink(temporary)
            throw error
        }
        return StoredBlob(sha256: sha256, size: size)
    }

    func abort() async {
        guard fd >= 0 else { return }
        let (fd, temporary) = (self.fd, temporaryPath)
        self.fd = -1
        close(fd)
        unlink(temporary)
    }
}

/// `write(2)` (the actor's own `write` hides the C function's name inside it).
private func systemWrite(_ fd: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
    write(fd, bytes, count)
}
