import ApexFiles
import Foundation
import NIOCore
import Testing

/// Streaming `multipart/form-data` into a blob, fed in small chunks as a socket would.
@Suite struct MultipartUploadTests {
    static let boundary = "xyzzy-boundary"

    static func body(_ parts: String) -> [ByteBuffer] {
        let bytes = Array(parts.utf8)
        return stride(from: 0, to: bytes.count, by: 7).map { ByteBuffer(bytes: bytes[$0..<min($0 + 7, bytes.count)]) }
    }

    static func file(_ content: String, name: String = "a \\\"quoted\\\" name.txt") -> String {
        "--\(boundary)\r\nContent-Disposition: form-data; name=\"description\"\r\n\r\nfirst draft\r\n"
            + "--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"\(name)\"\r\nContent-Type: text/plain\r\n\r\n\(content)\r\n--\(boundary)--\r\n"
    }

    static func receive(_ text: String, limit: Int64 = 1 << 20) async throws -> (ReceivedFile, [String]) {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("apex-mp-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let store = LocalBlobStore(root: root)
        do {
            let file = try await MultipartUpload.receive(AsyncStreamOf(body(text)), boundary: boundary, limit: limit, into: store)
            return (file, LocalBlobStoreTests.files(root))
        } catch {
            #expect(LocalBlobStoreTests.files(root).isEmpty, "a failed upload left files")
            throw error
        }
    }

    @Test func aFilePartStreamsIntoABlob() async throws {
        let content = String(repeating: "0123456789", count: 50) + "\r\n--not-the-boundary"
        let (file, files) = try await Self.receive(Self.file(content))
        #expect(file.filename == "a \"quoted\" name.txt")
        #expect(file.contentType == "text/plain")
        #expect(file.description == "first draft")
        #expect(file.blob.size == Int64(content.utf8.count))
        #expect(files == ["sha256/\(file.blob.sha256.prefix(2))/\(file.blob.sha256)"])
    }

    @Test func badBodiesFailAndLeaveNothing() async throws {
        await #expect(throws: FilesError(.tooLarge, "the file is larger than the limit of 10 bytes")) {
            try await Self.receive(Self.file(String(repeating: "x", count: 100)), limit: 10)
        }
        let cut = String(Self.file("abc").dropLast(10))
        await #expect(throws: FilesError.self) { try await Self.receive(cut) }
        let noFile = "--\(Self.boundary)\r\nContent-Disposition: form-data; name=\"description\"\r\n\r\nx\r\n--\(Self.boundary)--\r\n"
        do { _ = try await Self.receive(noFile); Issue.record("accepted") } catch let e as FilesError { #expect(e.code == .missingFile) }
    }

    @Test func boundaryComesFromTheContentType() {
        #expect(MultipartUpload.boundary(contentType: "multipart/form-data; boundary=abc") == "abc")
        #expect(MultipartUpload.boundary(contentType: "Multipart/Form-Data; charset=x; boundary=\"a b\"") == "a b")
        #expect(MultipartUpload.boundary(contentType: "application/json") == nil)
        #expect(MultipartUpload.boundary(contentType: "multipart/form-data") == nil)
    }
}

/// An async sequence over buffers, as a request body is.
struct AsyncStreamOf: AsyncSequence, Sendable {
    typealias Element = ByteBuffer
    let buffers: [ByteBuffer]
    init(_ buffers: [ByteBuffer]) { self.buffers = buffers }
    struct AsyncIterator: AsyncIteratorProtocol {
        var rest: ArraySlice<ByteBuffer>
        mutating func next() async -> ByteBuffer? { rest.popFirst() }
    }
    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(rest: buffers[...]) }
}
