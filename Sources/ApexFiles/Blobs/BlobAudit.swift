public import ApexDomain
public import ApexStore

/// The offline check that the bytes the log names are there and unchanged (`apex-cli verify
/// --blobs`): every `file.uploaded` event's blob is read and hashed once, whatever the number of
/// revisions or projects that name it.
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
            for event in page where event.type == FileUploaded.type {
                let uploaded = try event.payload(as: FileUploaded.self)
                let sha256 = uploaded.content.sha256
                guard seen.insert(sha256).inserted else { continue }
                outcome.blobsChecked += 1
                progress?(outcome.blobsChecked)
                let name = "file \(uploaded.fileID.lowercased) revision \(uploaded.revision) (\(sha256))"
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
        return outcome
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
