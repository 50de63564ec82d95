@testable import ApexFiles
import Foundation
import NIOCore
import Testing

/// The local blob store on a real folder: content-addressed, private, nothing left by an abort.
@Suite struct LocalBlobStoreTests {
    static func withStore(_ body: (LocalBlobStore, URL) async throws -> Void) async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("apex-blob-test-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        try await body(LocalBlobStore(root: root), root)
    }

    static func files(_ root: URL) -> [String] {
        (FileManager.default.enumerator(atPath: root.path)?.allObjects as? [String] ?? []).filter {
            var folder: ObjCBool = false
            return FileManager.default.fileExists(atPath: root.path + "/" + $0, isDirectory: &folder) && !folder.boolValue
        }
    }

    @Test func writeCommitReadRangeAndCheck() async throws {
        try await Self.withStore { store, root in
            let writer = try await store.makeWriter()
            try await writer.write(ByteBuffer(string: "hello "))
            try await writer.write(ByteBuffer(string: "world"))
            let blob = try await writer.commit()
            #expect(blob.sha256 == "b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9")
            #expect(blob.size == 11)
            #expect(Self.files(root) == ["sha256/b9/\(blob.sha256)"])
            var read = ""
            try await store.read(blob.sha256, range: 6..<11) { read += String(buffer: $0) }
            #expect(read == "world")
            #expect(try await store.check(blob.sha256) == .intact)
            #expect(try await store.size(of: blob.sha256) == 11)
            // Owner-only: files 0600, folders 0700.
            let attributes = try FileManager.default.attributesOfItem(atPath: root.path + "/sha256/b9/" + blob.sha256)
            #expect((attributes[.posixPermissions] as? Int) == 0o600)
            let folder = try FileManager.default.attributesOfItem(atPath: root.path + "/sha256/b9")
            #expect((folder[.posixPermissions] as? Int) == 0o700)
            // Altered on disk: named.
            try Data("hello worle".utf8).write(to: root.appendingPathComponent("sha256/b9/\(blob.sha256)"))
            guard case .altered = try await store.check(blob.sha256) else { Issue.record("an altered blob passed its check"); return }
            #expect(try await store.check(String(repeating: "0", count: 64)) == .missing)
        }
    }

    @Test func anAbortedBlobLeavesNothingAndNamesCannotEscape() async throws {
        try await Self.withStore { store, root in
            let writer = try await store.makeWriter()
            try await writer.write(ByteBuffer(string: "half"))
            #expect(Self.files(root).count == 1)
            await writer.abort()
            #expect(Self.files(root).isEmpty)
            #expect(store.path("../../etc/passwd") == nil)
            #expect(try await store.size(of: "../x") == nil)
        }
    }
}
