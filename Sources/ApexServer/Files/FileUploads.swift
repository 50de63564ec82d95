import ApexDomain
import ApexFiles
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

extension ApexAPI {
    /// The blob store, or 503 `files_not_configured`.
    func requireBlobs() throws -> any BlobStore {
        guard let blobs else {
            throw APIError(.serviceUnavailable, code: "files_not_configured", "files are not configured on this server: set APEX_BLOB_URL (file:PATH)")
        }
        return blobs
    }

    /// The scan status a new revision starts with: `pending_scan` with a scanner configured
    /// (`APEX_CLAMD`; not served until the `file-scanner` consumer finds it `clean`), else `unscanned`.
    var initialScanStatus: FileScanStatus { clamd == nil ? .unscanned : .pendingScan }

    /// Streams a `multipart/form-data` upload (part `file`, optional `description`) into the blob
    /// store, having checked the name, media type and description before the blob is committed,
    /// so an upload the domain would refuse leaves nothing stored. 415 for another body type,
    /// 413 over ``ServerConfiguration/maxUploadBytes`` (from `Content-Length` before any byte is read).
    func receiveUpload(_ request: Request, into blobs: any BlobStore) async throws -> FileContent {
        let limit = configuration.maxUploadBytes
        guard let type = request.headers[.contentType], let boundary = MultipartUpload.boundary(contentType: type) else {
            throw APIError(.unsupportedMediaType, code: "unsupported_media_type", "upload a file as multipart/form-data with a 'file' part")
        }
        // The parts' own headers and boundaries add a little to the file's bytes.
        if let length = request.headers[.contentLength].flatMap({ Int64($0) }), length > limit + 64 * 1024 {
            throw APIError(FilesError(.tooLarge, "the file is larger than the limit of \(limit) bytes"))
        }
        let received = try await MultipartUpload.receive(request.body, boundary: boundary, limit: limit, into: blobs) { name, type, size, description in
            try FileContent(name: name, contentType: type, size: size, sha256: String(repeating: "0", count: 64), description: description).validate()
        }
        return FileContent(
            name: received.filename, contentType: received.contentType, size: received.blob.size, sha256: received.blob.sha256,
            description: received.description)
    }
}

extension APIError {
    /// The API error for a file failure: 413 too large, 400 for a malformed upload, 503 when the
    /// blob store fails, 500 when a stored blob is missing or altered (the log says which).
    init(_ error: FilesError) {
        switch error.code {
        case .tooLarge: self.init(.contentTooLarge, code: error.code.description, error.message)
        case .malformedUpload, .missingFile, .unknownPart: self.init(.badRequest, code: error.code.description, error.message, field: error.field)
        case .blobMissing, .blobCorrupt:
            self.init(.internalServerError, code: error.code.description, "the stored file does not match its recorded hash; an operator has been told")
        default: self.init(.serviceUnavailable, code: error.code.description, "the file store is not available; try again shortly")
        }
    }
}
