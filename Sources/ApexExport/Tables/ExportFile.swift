public import Foundation

/// A file an export wrote (a workbook), in a temporary folder of its own that is removed when
/// the last reference to this goes away: a response streaming it keeps it until it is sent.
public final class ExportFile: Sendable {
    /// The file.
    public let url: URL
    /// Its folder, removed with it.
    let folder: URL

    /// A new empty folder under `directory` for a file named `name`.
    init(directory: URL, name: String) throws {
        folder = directory.appendingPathComponent("apex-export-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        url = folder.appendingPathComponent(name)
    }

    deinit { try? FileManager.default.removeItem(at: folder) }

    /// The file's bytes, to `sink` in 64 KiB chunks.
    public func copy<Sink: ExportSink>(to sink: inout Sink) async throws {
        let handle = try FileHandle(forReadingFrom: url)
        defer { try? handle.close() }
        while let chunk = try handle.read(upToCount: 64 * 1024), !chunk.isEmpty {
            try await sink.write(Array(chunk))
        }
    }

    /// The file's size in bytes.
    public func size() throws -> Int64 {
        (try FileManager.default.attributesOfItem(atPath: url.path)[.size] as? NSNumber)?.int64Value ?? 0
    }
}
