import ApexBackup
import ApexFiles
import Crypto
import Foundation
import NIOCore
import Testing

/// File blobs in an S3-compatible bucket (moto on loopback, signatures checked): an upload is
/// spooled, hashed and sent under its SHA-256; reads stream whole or by range; a blob altered or
/// absent in the bucket is named as such; an aborted upload leaves no object and no spool file.
@Suite("S3 blob store against moto", .serialized)
struct S3BlobStoreTests {
    static func store(_ server: MotoServer, spool: URL) async throws -> S3BlobStore {
        let environment = [
            "AWS_ENDPOINT_URL": server.endpoint, "AWS_REGION": "us-east-1",
            "AWS_ACCESS_KEY_ID": server.accessKeyID, "AWS_SECRET_ACCESS_KEY": server.secretAccessKey,
        ]
        try await S3Target.parse("s3://apex-blobs", environment: environment).createBucket()
        var store = try #require(try BlobStores.open("s3://apex-blobs/tenant-a", environment: environment) as? S3BlobStore)
        store = S3BlobStore(target: store.target, spool: spool)
        store.chunkSize = 64 * 1024
        return store
    }

    static func bytes(of blobs: any BlobStore, _ sha256: String, range: Range<Int64>? = nil) async throws -> Data {
        var data = Data()
        try await blobs.read(sha256, range: range) { data.append(contentsOf: $0.readableBytesView) }
        return data
    }

    @Test func anUploadIsStoredUnderItsHashAndReadWholeOrByRange() async throws {
        let spool = FileManager.default.temporaryDirectory.appendingPathComponent("apex-spool-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: spool) }
        try await MotoServer.with { server in
            let blobs = try await Self.store(server, spool: spool)
            let payload = Data((0..<2_700_000).map { UInt8(truncatingIfNeeded: $0 &* 131 &+ 17) })
            let writer = try await blobs.makeWriter()
            for offset in stride(from: 0, to: payload.count, by: 300_000) {
                try await writer.write(ByteBuffer(bytes: payload[offset..<min(offset + 300_000, payload.count)]))
            }
            let blob = try await writer.commit()
            let sha = SHA256.hash(data: payload).map { String(format: "%02x", $0) }.joined()
            #expect(blob.sha256 == sha && blob.size == Int64(payload.count))

            #expect(try await blobs.size(of: sha) == Int64(payload.count))
            #expect(try await Self.bytes(of: blobs, sha) == payload)
            #expect(try await Self.bytes(of: blobs, sha, range: 1000..<250_000) == payload[1000..<250_000])
            #expect(try await blobs.check(sha) == .intact)
            // Listing under a prefix signs a `%2F` in the query, which moto cannot check (see S3TargetTests).
            try await server.disableSignatureChecks()
            #expect(try await blobs.target.list(prefix: "") == ["sha256/\(sha)"])
            let spooled = (try? FileManager.default.subpathsOfDirectory(atPath: spool.path)) ?? []
            #expect(!spooled.contains { $0.hasSuffix(sha) }, "the spool keeps nothing once the bucket has it")

            // Bytes replaced in the bucket behind Apex's back: altered; an unknown hash: missing.
            try await blobs.target.put("sha256/\(sha)", Data("not the drawing".utf8))
            guard case .altered = try await blobs.check(sha) else { Issue.record("an altered object must not check intact"); return }
            let unknown = String(repeating: "ab", count: 32)
            #expect(try await blobs.size(of: unknown) == nil)
            #expect(try await blobs.check(unknown) == .missing)
            let error = try await #require(throws: FilesError.self) { _ = try await Self.bytes(of: blobs, unknown) }
            #expect(error.code == .blobMissing)
        }
    }

    @Test func anAbortedUploadLeavesNoObject() async throws {
        let spool = FileManager.default.temporaryDirectory.appendingPathComponent("apex-spool-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: spool) }
        try await MotoServer.with { server in
            let blobs = try await Self.store(server, spool: spool)
            let writer = try await blobs.makeWriter()
            try await writer.write(ByteBuffer(string: "half a drawing"))
            await writer.abort()
            try await server.disableSignatureChecks()
            #expect(try await blobs.target.list(prefix: "").isEmpty)
            #expect(try await blobs.removeAbandoned(writtenBefore: Date().addingTimeInterval(60)) == 0)
        }
    }
}
