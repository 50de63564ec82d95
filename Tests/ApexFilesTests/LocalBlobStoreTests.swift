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

    /// An upload cut off by a crash leaves a file in `tmp/`; one untouched for longer than the
    /// cutoff is removed, one still being written and every finished blob stay.
    @Test func abandonedUploadsAreRemovedAndNothingElse() async throws {
        try await Self.withStore { store, root in
            let done = try await store.makeWriter()
            try await done.write(ByteBuffer(string: "kept"))
            let blob = try await done.commit()
            let abandoned = try await store.makeWriter()
            try await abandoned.write(ByteBuffer(string: "cut off"))
            // The abandoned one is the only part so far (its bytes may still be gathered in memory).
            let old = try #require(Self.files(root).first { $0.hasPrefix("tmp/") })
            let current = try await store.makeWriter()
            try await current.write(ByteBuffer(string: "still arriving"))
            let parts = Self.files(root).filter { $0.hasPrefix("tmp/") }.sorted()
            #expect(parts.count == 2)
            // The abandoned one was last written two hours ago.
            try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(-7200)], ofItemAtPath: root.path + "/" + old)

            #expect(try await store.removeAbandoned(writtenBefore: Date().addingTimeInterval(-3600)) == 1)
            let left = Self.files(root).sorted()
            #expect(left.contains("sha256/\(blob.sha256.prefix(2))/\(blob.sha256)"))
            #expect(!left.contains(old))
            #expect(left.filter { $0.hasPrefix("tmp/") }.count == 1)
            let finished = try await current.commit()
            #expect(try await store.check(finished.sha256) == .intact)
            #expect(try await store.removeAbandoned(writtenBefore: Date()) == 0)
            await abandoned.abort()
        }
    }
}
