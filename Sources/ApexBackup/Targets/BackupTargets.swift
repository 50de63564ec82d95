public import Foundation

/// Opens the backup target a destination names: a folder path (or `file://` URL).
public enum BackupTargets {
    /// The target for `destination`.
    public static func open(_ destination: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> any BackupTarget {
        if destination.hasPrefix("s3://") { throw BackupError(.invalidDestination, "S3 destinations are not supported by this build") }
        let path = destination.hasPrefix("file://") ? String(destination.dropFirst("file://".count)) : destination
        return try LocalFolderTarget(path: path)
    }
}
