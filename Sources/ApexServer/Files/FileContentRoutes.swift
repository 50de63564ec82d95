import ApexDomain
import Foundation
import HTTPTypes
import Hummingbird

/// A file's bytes: `GET /v1/projects/{id}/files/{fid}/content[?revision=n]` (the latest by default).
struct FileContentRoutes {
    let api: ApexAPI

    func register(on router: RouterGroup<ApexRequestContext>) {
        router.get("projects/:id/files/:fid/content") { request, context in
            let project = try await api.authorizedProject(try request.uuidParameter("id", context), .fileView, context)
            let record = try FileRoutes.live(project, try request.uuidParameter("fid", context))
            let revision = try Self.revision(request, record)
            return try await api.serveRevision(revision, request, context)
        }
    }

    /// The revision `?revision=n` names (the latest without it); 400 for a malformed number, 404 for one the file lacks.
    static func revision(_ request: Request, _ record: FileRecord) throws -> FileRevision {
        guard let text = request.query("revision") else { return record.latest }
        guard let n = Int(text), n >= 1 else {
            throw APIError.badRequest("revision must be a positive whole number", code: "invalid_parameter", field: "revision")
        }
        guard let revision = record.revision(n) else { throw APIError.notFound }
        return revision
    }
}
