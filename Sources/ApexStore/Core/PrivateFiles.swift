package import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Files that hold the store's data, or keys, or copies of either: created readable by their
/// owner only (files 0600, folders 0700), whatever the process umask.
///
/// Modes are given to `open(2)` and `mkdir(2)` at creation, so there is no moment when the file
/// is readable by others; a umask can only remove bits from them. Existing files and folders
/// keep the mode they have: an operator who chose another one keeps it.
package enum PrivateFiles {
    /// `rw-------`.
    static let fileMode: mode_t = 0o600
    /// `rwx------`.
    static let folderMode: mode_t = 0o700

    /// Creates `folder` and every missing folder above it with mode 0700.
    package static func createFolder(_ folder: URL) throws {
        var missing: [String] = []
        var path = folder.standardizedFileURL.path
        while !path.isEmpty, path != "/", !FileManager.default.fileExists(atPath: path) {
            missing.append(path)
            path = (path as NSString).deletingLastPathComponent
        }
        for path in missing.reversed() where mkdir(path, folderMode) != 0 && errno != EEXIST {
            throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: path, NSUnderlyingErrorKey: POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)])
        }
    }

    /// Creates an empty file at `path` with mode 0600; false when something is already there.
    @discardableResult
    package static func createFile(atPath path: String) throws -> Bool {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, fileMode)
        guard fd >= 0 else {
            if errno == EEXIST { return false }
            throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: path, NSUnderlyingErrorKey: POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)])
        }
        close(fd)
        return true
    }

    /// Writes `data` to `url` atomically: into a new 0600 file beside it, flushed to disk, then
    /// renamed over `url`. The folder must exist.
    package static func write(_ data: Data, to url: URL) throws {
        let temporary = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString).tmp")
        try createFile(atPath: temporary.path)
        do {
            let handle = try FileHandle(forWritingTo: temporary)
            try handle.write(contentsOf: data)
            try handle.synchronize()
            try handle.close()
            guard rename(temporary.path, url.path) == 0 else {
                throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: url.path, NSUnderlyingErrorKey: POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)])
            }
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw error
        }
    }

    /// Prepares an SQLite database path before SQLite opens it: its folder (0700) and, when the
    /// file is absent, an empty database file (0600; SQLite takes an empty file as a new database).
    ///
    /// SQLite creates a missing database with mode 0644 less the umask, and gives the `-wal`
    /// and `-shm` files it makes later the mode of the database file: so creating the database
    /// file 0600 first makes all three owner-only.
    package static func prepareSQLiteFile(atPath path: String) throws {
        guard !path.isEmpty, path != ":memory:", !path.hasPrefix("file:") else { return }
        try createFolder(URL(fileURLWithPath: path).deletingLastPathComponent())
        try createFile(atPath: path)
    }
}
