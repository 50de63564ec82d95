import ApexStore
import Crypto
public import Foundation

/// Backups in a local folder; keys are relative paths inside it. Writes go to a temp file, are
/// fsynced, re-read and compared by SHA-256, then renamed into place. Files are created 0600 and
/// folders 0700 (they hold the store's data); a key with `..` or an absolute path is refused.
public struct LocalFolderTarget: BackupTarget {
    /// The folder.
    public let root: URL

    /// A target in `path` (created, mode 0700, when missing).
    public init(path: String) throws {
        root = URL(fileURLWithPath: path, isDirectory: true)
        do { try PrivateFiles.createFolder(root) } catch {
            throw BackupError(.invalidDestination, "cannot create the backup folder \(path)")
        }
    }

    /// The folder path.
    public var description: String { root.path }

    /// Writes atomically and verifies the written bytes.
    public func put(_ key: String, _ data: Data) async throws {
        let url = try file(key)
        let tmp = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).tmp-\(UUID().uuidString)")
        do {
            try PrivateFiles.createFolder(url.deletingLastPathComponent())
            guard try PrivateFiles.createFile(atPath: tmp.path) else { throw BackupError(.transfer, "cannot write \(key)") }
            let handle = try FileHandle(forUpdating: tmp)
            try handle.write(contentsOf: data)
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
        let url = try file(key)
        do { return try Data(contentsOf: url) } catch {
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
        let url = try file(key)
        try? FileManager.default.removeItem(at: url)
    }

    /// The file of `key`, after checking that the key stays inside the folder.
    private func file(_ key: String) throws -> URL {
        try BackupKey.validate(key)
        return root.appendingPathComponent(key)
    }
}
