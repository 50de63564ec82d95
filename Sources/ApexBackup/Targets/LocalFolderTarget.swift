import Crypto
public import Foundation

/// Backups in a local folder; keys are relative paths. Writes go to a temp file, are fsynced,
/// re-read and compared by SHA-256, then renamed into place.
public struct LocalFolderTarget: BackupTarget {
    /// The folder.
    public let root: URL

    /// A target in `path` (created when missing).
    public init(path: String) throws {
        root = URL(fileURLWithPath: path, isDirectory: true)
        do { try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true) } catch {
            throw BackupError(.invalidDestination, "cannot create the backup folder \(path)")
        }
    }

    /// The folder path.
    public var description: String { root.path }

    /// Writes atomically and verifies the written bytes.
    public func put(_ key: String, _ data: Data) async throws {
        let url = root.appendingPathComponent(key)
        let tmp = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).tmp-\(UUID().uuidString)")
        do {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            guard FileManager.default.createFile(atPath: tmp.path, contents: data) else { throw BackupError(.transfer, "cannot write \(key)") }
            let handle = try FileHandle(forUpdating: tmp)
            try handle.synchronize()
            try handle.close()
            let written = try Data(contentsOf: tmp)
            guard SHA256.hash(data: written) == SHA256.hash(data: data) else {
                throw BackupError(.transfer, "\(key) did not read back identical after writing")
            }
            if FileManager.default.fileExists(atPath: url.path) { try FileManager.default.removeItem(at: url) }
            try FileManager.default.moveItem(at: tmp, to: url)
        } catch let error as BackupError {
            try? FileManager.default.removeItem(at: tmp)
            throw error
        } catch {
            try? FileManager.default.removeItem(at: tmp)
            throw BackupError(.transfer, "cannot write \(key) under \(root.path)")
        }
    }

    /// Reads a key.
    public func get(_ key: String) async throws -> Data {
        do { return try Data(contentsOf: root.appendingPathComponent(key)) } catch {
            throw BackupError(.notFound, "\(key) is not in \(root.path)")
        }
    }

    /// Lists keys under a prefix.
    public func list(prefix: String) async throws -> [String] {
        guard let enumerator = FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey]) else { return [] }
        var keys: [String] = []
        let base = root.standardizedFileURL.path + "/"
        for case let url as URL in enumerator {
            guard (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true, !url.lastPathComponent.hasPrefix(".") else { continue }
            let key = String(url.standardizedFileURL.path.dropFirst(base.count))
            if key.hasPrefix(prefix) { keys.append(key) }
        }
        return keys.sorted()
    }

    /// Deletes a key.
    public func delete(_ key: String) async throws {
        try? FileManager.default.removeItem(at: root.appendingPathComponent(key))
    }
}
