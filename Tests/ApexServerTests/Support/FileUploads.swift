import ApexDomain
import ApexServer
import ApexStore
import Crypto
import Foundation
import HTTPTypes
import HummingbirdTesting

/// Multipart bodies and file helpers for the file route tests.
enum Multipart {
    static let boundary = "apex-test-boundary-7f3a"
    static var contentType: String { "multipart/form-data; boundary=\(boundary)" }

    /// A `multipart/form-data` body with a `file` part (and a `description` part when given).
    static func body(_ content: String, filename: String = "drawing.pdf", type: String = "application/pdf", description: String? = nil, extra: String? = nil) -> String {
        var parts = ""
        if let description {
            parts += "--\(boundary)\r\nContent-Disposition: form-data; name=\"description\"\r\n\r\n\(description)\r\n"
        }
        if let extra { parts += "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(extra)\"\r\n\r\nx\r\n" }
        parts += "--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"\(filename)\"\r\nContent-Type: \(type)\r\n\r\n\(content)\r\n"
        return parts + "--\(boundary)--\r\n"
    }
}

extension TestClientProtocol {
    /// Uploads `content` as a new file of `project` (or a new revision of `file`).
    func upload(_ project: UUID, _ content: String, as token: String, file: UUID? = nil, filename: String = "drawing.pdf", description: String? = nil) async throws -> Reply {
        let path = "/v1/projects/\(project.lowercased)/files" + (file.map { "/\($0.lowercased)/revisions" } ?? "")
        return try await call(
            .post, path, as: token, raw: Multipart.body(content, filename: filename, description: description), headers: [.contentType: Multipart.contentType])
    }
}

extension World {
    /// Every file (blob or temporary) under the blob folder.
    func blobFiles() -> [String] {
        guard let url = configuration.blobURL, url.hasPrefix("file:") else { return [] }
        let root = String(url.dropFirst(5))
        let items = FileManager.default.enumerator(atPath: root)?.allObjects as? [String] ?? []
        return items.filter { item in
            var isFolder: ObjCBool = false
            return FileManager.default.fileExists(atPath: root + "/" + item, isDirectory: &isFolder) && !isFolder.boolValue
        }
    }

    /// The file events of a project.
    func fileEvents(_ project: UUID) async throws -> [EventEnvelope] {
        try await store.readStream(.project(project)).filter { $0.type.hasPrefix("file.") }
    }

    /// A world whose blobs live in a new temporary folder, with a link key.
    static func withFiles(_ kind: StoreKind, configure: (inout ServerConfiguration) -> Void = { _ in }, _ body: (World) async throws -> Void) async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("apex-blobs-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        try await World.with(kind, configure: {
            $0.blobURL = "file:" + folder.path
            $0.fileLinkKey = .init(data: Data("apex-file-link-test-key-0123456789abcdef".utf8))
            configure(&$0)
        }, body)
    }
}
