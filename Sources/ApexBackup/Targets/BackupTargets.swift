public import Foundation

/// Opens the backup target a destination names: a folder path, a `file://` URL, or `s3://bucket/prefix`.
public enum BackupTargets {
    /// `s3://bucket/prefix` opens an ``S3Target`` configured from the `AWS_*` variables in
    /// `environment` (see ``S3Target/parse(_:environment:)``); a folder path or `file://path`
    /// opens a ``LocalFolderTarget``.
    ///
    /// ```swift
    /// let target = try BackupTargets.open("s3://backups/apex")
    /// ```
    public static func open(
        _ destination: String,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> any BackupTarget {
        if destination.lowercased().hasPrefix("s3://") {
            return try S3Target.parse(destination, environment: environment)
        }
        let path = destination.hasPrefix("file://") ? String(destination.dropFirst("file://".count)) : destination
        guard !path.isEmpty else {
            throw BackupError(.invalidDestination, "the backup destination is empty: give a folder, file://path or s3://bucket/prefix")
        }
        if let scheme = path.range(of: "://"), !path[..<scheme.lowerBound].contains("/") {
            throw BackupError(.invalidDestination, "'\(destination)': backups go to a folder, file://path or s3://bucket/prefix")
        }
        return try LocalFolderTarget(path: path)
    }
}
