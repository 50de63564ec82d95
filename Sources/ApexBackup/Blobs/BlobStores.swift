public import ApexFiles
public import Foundation

/// Opens the blob store an `APEX_BLOB_URL` names: `file:PATH` (``BlobURL/store(_:)``) or
/// `s3://bucket/prefix` (an ``S3BlobStore`` configured from the `AWS_*` variables, as backup
/// destinations are; uploads are spooled under the system's temporary folder).
public enum BlobStores {
    /// The store `url` names.
    ///
    /// ```swift
    /// let blobs = try BlobStores.open("s3://acme-apex/blobs")
    /// ```
    public static func open(_ url: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> any BlobStore {
        guard url.lowercased().hasPrefix("s3://") else { return try BlobURL.store(url) }
        let target: S3Target
        do { target = try S3Target.parse(url, environment: environment) } catch let error as BackupError {
            throw FilesError(.invalidURL, error.message)
        }
        let spool = FileManager.default.temporaryDirectory.appendingPathComponent("apex-blob-spool")
        return S3BlobStore(target: target, spool: spool)
    }
}
