import ApexDomain
import ApexFiles
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// A revision's preview: `GET /v1/projects/{id}/files/{fid}/thumbnail[?revision=n]` (the latest
/// by default) serves the PNG the `file-thumbnails` consumer made, or 404 when there is none
/// (not an image or PDF, not yet made, not servable, or the conversion failed).
struct FileThumbnailRoutes {
    let api: ApexAPI

    func register(on router: RouterGroup<ApexRequestContext>) {
        router.get("projects/:id/files/:fid/thumbnail") { request, context in
            let project = try await api.authorizedProject(try request.uuidParameter("id", context), .fileView, context)
            let record = try FileRoutes.live(project, try request.uuidParameter("fid", context))
            let revision = try FileContentRoutes.revision(request, record)
            guard revision.status.isServable, let image = revision.thumbnail else {
                throw APIError(.notFound, code: "thumbnail_not_found", "this revision has no thumbnail")
            }
            let blobs = try api.requireBlobs()
            let eTag = "\"\(image.sha256)\""
            var headers: HTTPFields = [.eTag: eTag, .contentType: image.contentType, .cacheControl: "private, max-age=86400"]
            if let match = request.headers[.ifNoneMatch], match.split(separator: ",").contains(where: { $0.trimmingCharacters(in: .whitespaces) == eTag }) {
                return Response(status: .notModified, headers: headers)
            }
            // Served only when it hashes to its name; small, so read whole.
            switch try await blobs.check(image.sha256) {
            case .intact: break
            case .missing: throw APIError(FilesError(.blobMissing, "the thumbnail blob \(image.sha256) is missing"))
            case .altered: throw APIError(FilesError(.blobCorrupt, "the thumbnail blob \(image.sha256) does not match its hash"))
            }
            var bytes = ByteBuffer()
            try await blobs.read(image.sha256, range: nil) { chunk in
                var chunk = chunk
                bytes.writeBuffer(&chunk)
            }
            headers[.contentLength] = "\(bytes.readableBytes)"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: bytes))
        }
    }
}
