public import ApexDomain
public import ApexStore
import Foundation
public import Logging
import NIOCore

/// The consumer of the log that makes thumbnails (`file-thumbnails`): for each revision that
/// becomes servable (`file.uploaded` as `unscanned`, or `file.scanned` `clean`) of an image or a
/// PDF, it copies the blob to a temporary file, converts it with ``ThumbnailMaker``, stores the
/// PNG as a blob and appends `file.thumbnail_created`.
///
/// A missing tool, a failing conversion or a missing source blob mean no thumbnail (logged),
/// never a failure of the upload or of the queue; a blob store that cannot be written throws,
/// and the runner retries. Delivery is at least once: the revision's state is read again before
/// appending, so a repeat appends nothing (its blob, being content-addressed, is the same one).
public struct FileThumbnails: LogConsumer {
    /// `file-thumbnails`.
    public static let consumerName = "file-thumbnails"
    /// `file-thumbnails`.
    public var name: String { Self.consumerName }
    let blobs: (any BlobStore)?
    let maker: ThumbnailMaker
    let writer: ProjectFileWriter
    let logger: Logger

    /// A consumer reading and writing blobs in `blobs` (nil: files are off, nothing to do) and
    /// appending to `store`.
    public init(store: any EventStore, blobs: (any BlobStore)?, maker: ThumbnailMaker = ThumbnailMaker(), logger: Logger) {
        self.blobs = blobs
        self.maker = maker
        self.writer = ProjectFileWriter(store: store, service: Self.consumerName)
        self.logger = logger
    }

    /// Makes a thumbnail for each revision `events` make servable.
    public func handle(_ events: [EventEnvelope]) async throws {
        guard let blobs else { return }
        for event in events {
            guard let project = event.stream.projectID else { continue }
            let target: (file: UUID, revision: Int)
            switch event.type {
            case FileUploaded.type:
                let e = try event.payload(as: FileUploaded.self)
                guard e.status == .unscanned, ThumbnailMaker.supports(e.content.contentType) else { continue }
                target = (e.fileID, e.revision)
            case FileScanned.type:
                let e = try event.payload(as: FileScanned.self)
                guard e.result == .clean else { continue }
                target = (e.fileID, e.revision)
            default:
                continue
            }
            try await thumbnail(target.file, target.revision, of: project, blobs: blobs)
        }
    }

    /// The revision, when it is servable, not deleted and has no thumbnail yet.
    static func wanting(_ state: ProjectState, _ file: UUID, _ n: Int) -> FileRevision? {
        guard !state.deleted, let record = state.files[file], !record.deleted, let revision = record.revision(n),
            revision.status.isServable, revision.thumbnail == nil
        else { return nil }
        return revision
    }

    private func thumbnail(_ file: UUID, _ n: Int, of project: UUID, blobs: any BlobStore) async throws {
        var metadata: Logger.Metadata = ["project.id": "\(project.lowercased)", "file.id": "\(file.lowercased)", "file.revision": "\(n)"]
        guard let revision = Self.wanting(try await writer.state(of: project), file, n),
            ThumbnailMaker.supports(revision.content.contentType)
        else { return }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("apex-thumbnail-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let source = folder + "/source"
        do {
            try await Self.copy(revision.content.sha256, from: blobs, to: source)
        } catch let error as FilesError where error.code == .blobMissing {
            logger.error("the blob of a revision is missing: no thumbnail", metadata: metadata)
            return
        }
        let made: ThumbnailMaker.Made
        switch await maker.make(from: source, contentType: revision.content.contentType, in: folder) {
        case .success(let m): made = m
        case .failure(let skipped):
            metadata["thumbnail.skipped"] = "\(skipped)"
            logger.notice("no thumbnail for a revision", metadata: metadata)
            return
        }
        let stored = try await Self.store(made.path, in: blobs)
        let image = FileThumbnail(sha256: stored.sha256, contentType: "image/png", size: stored.size, width: made.width, height: made.height)
        try await writer.append(to: project) { state in
            Self.wanting(state, file, n) == nil ? nil : .recordFileThumbnail(FileThumbnailCreated(fileID: file, revision: n, image: image))
        }
        metadata["thumbnail.size"] = "\(made.width)x\(made.height)"
        logger.info("made a thumbnail", metadata: metadata)
    }

    /// Streams blob `sha256` into a new file at `path`, a chunk at a time.
    static func copy(_ sha256: String, from blobs: any BlobStore, to path: String) async throws {
        guard FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600]),
            let handle = FileHandle(forWritingAtPath: path)
        else { throw FilesError(.storage, "cannot write a temporary file for a thumbnail") }
        defer { try? handle.close() }
        try await blobs.read(sha256, range: nil) { chunk in try handle.write(contentsOf: Data(chunk.readableBytesView)) }
    }

    /// Stores the file at `path` as a blob.
    static func store(_ path: String, in blobs: any BlobStore) async throws -> StoredBlob {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw FilesError(.storage, "cannot read a thumbnail") }
        defer { try? handle.close() }
        let writer = try await blobs.makeWriter()
        do {
            while let data = try handle.read(upToCount: 64 * 1024), !data.isEmpty { try await writer.write(ByteBuffer(bytes: data)) }
            return try await writer.commit()
        } catch {
            await writer.abort()
            throw error
        }
    }
}
