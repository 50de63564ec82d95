public import NIOCore
import MultipartKit

/// A file received from a `multipart/form-data` body: its blob and the part's own facts.
public struct ReceivedFile: Sendable, Hashable {
    /// The stored blob (hash and size).
    public var blob: StoredBlob
    /// The `filename` of the `file` part, as sent.
    public var filename: String
    /// The `file` part's `Content-Type` (`application/octet-stream` when it gave none).
    public var contentType: String
    /// The `description` part, if any.
    public var description: String?
}

/// Streams a `multipart/form-data` body into a blob: the `file` part goes to a ``BlobWriter`` a
/// chunk at a time (never the whole body in memory), and `description` is kept as text.
///
/// The blob is committed only once the body has ended with its closing boundary; a body that is
/// over `limit`, malformed, cut short (a client that disconnects) or fails in any other way aborts
/// the writer, so nothing is left in the store.
public enum MultipartUpload {
    /// The largest `description` part, in bytes.
    public static let descriptionLimit = 8 * 1024

    /// The boundary of a `multipart/form-data` content type, or nil when it is not one.
    public static func boundary(contentType: String) -> String? {
        let parts = contentType.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
        guard parts.first?.lowercased() == "multipart/form-data" else { return nil }
        for parameter in parts.dropFirst() {
            let pair = parameter.split(separator: "=", maxSplits: 1).map(String.init)
            guard pair.count == 2, pair[0].lowercased() == "boundary" else { continue }
            var value = pair[1]
            if value.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") { value = String(value.dropFirst().dropLast()) }
            return (1...70).contains(value.utf8.count) ? value : nil
        }
        return nil
    }

    /// Receives `body` into `store`; throws ``FilesError`` (`file_too_large`, `malformed_upload`,
    /// `missing_file`, `unknown_field`), the body's own error, or what `validate` throws (called
    /// with the file name, media type, size and description before the blob is committed),
    /// having aborted the blob.
    public static func receive<Body: AsyncSequence>(
        _ body: Body, boundary: String, limit: Int64, into store: any BlobStore,
        validate: (_ filename: String, _ contentType: String, _ size: Int64, _ description: String?) throws -> Void = { _, _, _, _ in }
    ) async throws -> ReceivedFile where Body.Element == ByteBuffer {
        let writer = try await store.makeWriter()
        do {
            let parts = try await stream(body, boundary: boundary, limit: limit, writer: writer)
            let size = await writer.size
            try validate(parts.filename, parts.contentType, size, parts.description)
            let blob = try await writer.commit()
            return ReceivedFile(blob: blob, filename: parts.filename, contentType: parts.contentType, description: parts.description)
        } catch {
            await writer.abort()
            throw error
        }
    }

    private static func stream<Body: AsyncSequence>(
        _ body: Body, boundary: String, limit: Int64, writer: any BlobWriter
    ) async throws -> PartCollector.Result where Body.Element == ByteBuffer {
        let collector = PartCollector(limit: limit)
        let parser = MultipartParser(boundary: boundary)
        parser.onHeader = { name, value in collector.header(name, value) }
        parser.onBody = { buffer in collector.body(&buffer) }
        parser.onPartComplete = { collector.partComplete() }
        for try await chunk in body {
            do { try parser.execute(chunk) } catch {
                throw FilesError(.malformedUpload, "the body is not well-formed multipart/form-data")
            }
            if let failure = collector.failure { throw failure }
            for piece in collector.takeFileChunks() { try await writer.write(piece) }
        }
        return try collector.result()
    }
}
