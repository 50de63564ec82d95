public import ApexDomain
public import ApexStore

/// The offline check that the bytes the log names are there and unchanged (`apex-cli verify
/// --blobs`): every blob an event names (``namedBlobs(_:)``: a `file.uploaded` revision's bytes, a
/// `file.thumbnail_created` image) is read and hashed once, whatever the number of revisions or
/// projects that name it.
///
/// A blob is content-addressed, so its bytes must hash to the SHA-256 the event recorded; a blob
/// that is absent is `blob_missing`, one that hashes to something else `blob_altered`, each named
/// at the first event that recorded it. The log's own integrity is ``EventStore/verify(options:progress:)``.
public enum BlobAudit {
    /// What the audit found.
    public struct Outcome: Sendable, Hashable {
        /// Distinct blobs read and hashed.
        public var blobsChecked = 0
        /// One failure a missing or altered blob.
        public var failures: [VerifyFailure] = []
    }

    /// Reads the log in pages of `pageSize` (as stored: nothing personal is opened) and checks
    /// each blob it names; `progress` gets the number of blobs checked so far.
    public static func run(
        _ store: any EventStore, blobs: any BlobStore, pageSize: Int = 1000, progress: (@Sendable (Int) -> Void)? = nil
    ) async throws -> Outcome {
        var outcome = Outcome()
        var seen: Set<String> = []
        var after: Int64 = 0
        while true {
            let page = try await store.readAll(after: after, limit: pageSize, mode: .stored)
            guard let last = page.last else { break }
            after = last.position
            for event in page {
                for (sha256, name) in try namedBlobs(event) where seen.insert(sha256).inserted {
                    outcome.blobsChecked += 1
                    progress?(outcome.blobsChecked)
                    switch try await blobs.check(sha256) {
                    case .intact: continue
                    case .missing:
                        outcome.failures.append(VerifyFailure(
                            kind: "blob_missing", stream: event.stream.rawValue, version: event.version, position: event.position,
                            message: "the blob of \(name) is not in the blob store"))
                    case .altered(let actual):
                        outcome.failures.append(VerifyFailure(
                            kind: "blob_altered", stream: event.stream.rawValue, version: event.version, position: event.position,
                            message: "the blob of \(name) now hashes to \(actual)"))
                    }
                }
            }
        }
        return outcome
    }

    /// The blobs `event` names, each with what it is for messages (`file … revision n (sha)`):
    /// a revision's bytes for `file.uploaded`, its image for `file.thumbnail_created`.
    public static func namedBlobs(_ event: EventEnvelope) throws -> [(sha256: String, name: String)] {
        switch event.type {
        case FileUploaded.type:
            let e = try event.payload(as: FileUploaded.self)
            return [(e.content.sha256, "file \(e.fileID.lowercased) revision \(e.revision) (\(e.content.sha256))")]
        case FileThumbnailCreated.type:
            let e = try event.payload(as: FileThumbnailCreated.self)
            return [(e.image.sha256, "the thumbnail of file \(e.fileID.lowercased) revision \(e.revision) (\(e.image.sha256))")]
        default:
            return []
        }
    }
}

extension VerifyReport {
    /// The report with a blob audit's failures added (listed up to `maximumFailures`, all counted).
    public func adding(_ audit: BlobAudit.Outcome, maximumFailures: Int = 100) -> VerifyReport {
        var report = self
        for failure in audit.failures where report.failures.count < maximumFailures { report.failures.append(failure) }
        report.failureCount += Int64(audit.failures.count)
        return report
    }
}
