public import ApexDomain
public import ApexStore
import Foundation
public import Logging

/// The consumer of the log that scans each new revision with ClamAV (`file-scanner`): for every
/// `file.uploaded` that starts `pending_scan`, it streams the blob to clamd and appends
/// `file.scanned` (`clean`, or `infected` with the signature; the engine and database version).
///
/// Delivery is at least once: the revision's state is read before scanning and again before
/// appending, so a repeated event appends nothing. A scanner that cannot be reached (or a blob
/// store that cannot be read) throws, and the ``ConsumerRunner`` retries the same events after a
/// doubling backoff, recording the error: the revision stays pending, and is not served, until
/// clamd answers. clamd's own refusal of a stream (`… ERROR`, e.g. over `StreamMaxLength`) and a
/// missing blob are logged and leave the revision pending for good rather than stop the queue.
///
/// Without a scanner configured, revisions start `unscanned` and this consumer has nothing to do.
public struct FileScanner: LogConsumer {
    /// `file-scanner`.
    public static let consumerName = "file-scanner"
    /// `file-scanner`.
    public var name: String { Self.consumerName }
    /// The daemon; nil when no scanner is configured.
    public let clamd: ClamdClient?
    let blobs: (any BlobStore)?
    let writer: ProjectFileWriter
    let logger: Logger

    /// A scanner reading blobs from `blobs`, scanning with `clamd` and appending to `store`.
    public init(store: any EventStore, blobs: (any BlobStore)?, clamd: ClamdClient?, logger: Logger) {
        self.clamd = clamd
        self.blobs = blobs
        self.writer = ProjectFileWriter(store: store, service: Self.consumerName)
        self.logger = logger
    }

    /// Scans each pending revision `events` upload, and, when a deleted project is restored,
    /// the revisions left pending while it was deleted (nothing is scanned in a deleted project).
    public func handle(_ events: [EventEnvelope]) async throws {
        for event in events {
            guard let project = event.stream.projectID else { continue }
            switch event.type {
            case FileUploaded.type:
                let upload = try event.payload(as: FileUploaded.self)
                if upload.status == .pendingScan { try await scan(upload, of: project) }
            case ProjectRestored.type:
                let state = try await writer.state(of: project)
                for record in state.files.valuesInIDOrder where !record.deleted {
                    for revision in record.revisions where revision.status == .pendingScan {
                        try await scan(FileUploaded(fileID: record.id, revision: revision.revision, content: revision.content, status: .pendingScan), of: project)
                    }
                }
            default:
                continue
            }
        }
    }

    /// Whether revision `n` of `file` is still waiting for its scan in `state`.
    static func isPending(_ state: ProjectState, _ file: UUID, _ n: Int) -> Bool {
        !state.deleted && state.files[file]?.revision(n)?.status == .pendingScan
    }

    private func scan(_ upload: FileUploaded, of project: UUID) async throws {
        var metadata: Logger.Metadata = [
            "project.id": "\(project.lowercased)", "file.id": "\(upload.fileID.lowercased)", "file.revision": "\(upload.revision)",
        ]
        guard Self.isPending(try await writer.state(of: project), upload.fileID, upload.revision) else { return }
        guard let clamd, let blobs else {
            logger.warning("a revision waits for a virus scan, but no scanner is configured (APEX_CLAMD): it stays pending", metadata: metadata)
            return
        }
        let version = try await clamd.version()
        let sha256 = upload.content.sha256
        let verdict: ClamdVerdict
        do {
            verdict = try await clamd.scan { send in try await blobs.read(sha256, range: nil) { try await send($0) } }
        } catch let error as FilesError where error.code == .blobMissing {
            logger.error("the blob of a revision waiting for its scan is missing: it stays pending", metadata: metadata)
            return
        }
        let scanned: FileScanned
        switch verdict {
        case .clean:
            scanned = FileScanned(fileID: upload.fileID, revision: upload.revision, result: .clean, engine: version.recorded)
        case .infected(let signature):
            scanned = FileScanned(fileID: upload.fileID, revision: upload.revision, result: .infected, engine: version.recorded, signature: signature)
        case .error(let message):
            metadata["clamd.reply"] = "\(message)"
            logger.error("clamd refused to scan a revision: it stays pending", metadata: metadata)
            return
        }
        try await writer.append(to: project) { state in
            Self.isPending(state, upload.fileID, upload.revision) ? .recordFileScan(scanned) : nil
        }
        metadata["file.scan"] = "\(scanned.result.rawValue)"
        if let signature = scanned.signature { metadata["file.signature"] = "\(signature)" }
        logger.info("scanned a revision", metadata: metadata)
    }
}
