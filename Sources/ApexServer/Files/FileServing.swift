import ApexDomain
import ApexFiles
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

extension ApexAPI {
    /// Serves one revision's bytes, for the content route and direct links: 409 while it is not
    /// servable (`file_pending_scan`, `file_infected`); its blob is hashed first and served only
    /// when the hash is the one the event recorded; `ETag` is the SHA-256, `If-None-Match` → 304,
    /// one `Range` → 206 (416 when unsatisfiable); always an attachment (and, as every answer,
    /// `nosniff`).
    func serveRevision(_ revision: FileRevision, _ request: Request, _ context: ApexRequestContext) async throws -> Response {
        switch revision.status {
        case .pendingScan: throw APIError(.conflict, code: "file_pending_scan", "this revision waits for its virus scan; try again later")
        case .infected: throw APIError(.conflict, code: "file_infected", "this revision was found infected and is quarantined")
        case .unscanned, .clean: break
        }
        let blobs = try requireBlobs()
        let sha256 = revision.content.sha256
        let size = revision.content.size
        let eTag = "\"\(sha256)\""
        var headers: HTTPFields = [
            .eTag: eTag, .acceptRanges: "bytes", .contentType: revision.content.contentType,
            .contentDisposition: Self.attachment(revision.content.name),
        ]
        if let match = request.headers[.ifNoneMatch], match.split(separator: ",").contains(where: { $0.trimmingCharacters(in: .whitespaces) == eTag || $0 == "*" }) {
            return Response(status: .notModified, headers: headers)
        }
        switch try await blobs.check(sha256) {
        case .intact: break
        case .missing: throw FilesError(.blobMissing, "the blob \(sha256) that an event names is missing")
        case .altered(let actual): throw FilesError(.blobCorrupt, "the blob \(sha256) hashes to \(actual)")
        }
        let range: Range<Int64>
        var status = HTTPResponse.Status.ok
        switch ByteRange.resolve(request.headers[.range], size: size) {
        case .whole: range = 0..<size
        case .partial(let r):
            range = r
            status = .partialContent
            headers[.contentRange] = "bytes \(r.lowerBound)-\(r.upperBound - 1)/\(size)"
        case .unsatisfiable:
            var error = APIError(.rangeNotSatisfiable, code: "range_not_satisfiable", "the range starts past the end of the \(size)-byte file")
            error.headers[.contentRange] = "bytes */\(size)"
            throw error
        }
        let length = Int(range.upperBound - range.lowerBound)
        let body = ResponseBody(contentLength: length) { writer in
            try await blobs.read(sha256, range: range) { chunk in try await writer.write(chunk) }
            try await writer.finish(nil)
        }
        return Response(status: status, headers: headers, body: body)
    }

    /// `attachment` with an ASCII fallback name and the exact name in `filename*` (RFC 6266).
    static func attachment(_ name: String) -> String {
        let fallback = String(name.unicodeScalars.map { s -> Character in
            s.isASCII && (s.properties.isAlphabetic || ("0"..."9").contains(Character(s)) || "._- ".unicodeScalars.contains(s)) ? Character(s) : "_"
        })
        let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789.-_~")
        let encoded = name.addingPercentEncoding(withAllowedCharacters: unreserved) ?? fallback
        return "attachment; filename=\"\(fallback)\"; filename*=UTF-8''\(encoded)"
    }
}
