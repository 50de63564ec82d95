import ApexStore
import Foundation

/// Where blobs live, as `APEX_BLOB_URL` names it: `file:PATH` (or `file://PATH`) for a local folder.
///
/// With no URL, the SQLite store keeps blobs in `blobs/` beside its database file; a PostgreSQL
/// store has no such place, so files answer 503 `files_not_configured` until one is set.
public enum BlobURL {
    /// The store a URL names.
    ///
    /// ```swift
    /// let blobs = try BlobURL.store("file:/var/lib/apex/blobs")
    /// ```
    public static func store(_ text: String) throws -> any BlobStore {
        if text.hasPrefix("file:") {
            var path = String(text.dropFirst("file:".count))
            if path.hasPrefix("//") { path = String(path.dropFirst(2)) }
            guard !path.isEmpty else { throw FilesError(.invalidURL, "file: needs a folder, e.g. APEX_BLOB_URL=file:/var/lib/apex/blobs") }
            return LocalBlobStore(root: URL(fileURLWithPath: path))
        }
        throw FilesError(.invalidURL, "APEX_BLOB_URL must be file:PATH (a local folder, e.g. file:/var/lib/apex/blobs) or s3://bucket/prefix")
    }

    /// The blob URL to use for the store at `storeURL`: `given` (`APEX_BLOB_URL`) when set, else
    /// `blobs/` beside an SQLite database, else none (PostgreSQL needs one set).
    public static func resolved(_ given: String?, storeURL: String) -> String? {
        if let given { return given }
        guard case .sqlite(let path)? = try? StoreURL(storeURL) else { return nil }
        return beside(sqlitePath: path)
    }

    /// The default for an SQLite database at `databasePath`: `file:` the folder `blobs/` beside it.
    public static func beside(sqlitePath databasePath: String) -> String {
        "file:" + URL(fileURLWithPath: databasePath).deletingLastPathComponent().appendingPathComponent("blobs").path
    }
}
