import ApexDomain
import ApexFiles
import ApexStore
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// Files of a project: upload, upload a revision, list, read, delete. The policy is asked before
/// any byte of an upload is read, so a caller who may not upload stores nothing.
struct FileRoutes {
    let api: ApexAPI

    func register(on router: RouterGroup<ApexRequestContext>) {
        router.post("projects/:id/files") { request, context in
            let id = try request.uuidParameter("id", context)
            let blobs = try api.requireBlobs()
            try Self.open(try await api.authorizedProject(id, .fileUpload, context))
            let content = try await api.receiveUpload(request, into: blobs)
            let fileID = UUID()
            let state = try await api.mutateProject(id, .fileUpload, request, context) { _ in
                .uploadFile(fileID: fileID, content: content, status: api.initialScanStatus)
            }
            return Self.created(state, id, fileID)
        }
        router.post("projects/:id/files/:fid/revisions") { request, context in
            let id = try request.uuidParameter("id", context)
            let fileID = try request.uuidParameter("fid", context)
            let blobs = try api.requireBlobs()
            let project = try await api.authorizedProject(id, .fileUpload, context)
            try Self.open(project)
            _ = try Self.live(project, fileID)
            let content = try await api.receiveUpload(request, into: blobs)
            let state = try await api.mutateProject(id, .fileUpload, request, context) { _ in
                .reviseFile(fileID: fileID, content: content, status: api.initialScanStatus)
            }
            return Self.created(state, id, fileID)
        }
        router.get("projects/:id/files") { request, context in
            let project = try await api.authorizedProject(try request.uuidParameter("id", context), .fileView, context)
            let items = project.state.files.values.filter { !$0.deleted }
                .sorted { ($0.latest.content.name, $0.id.uuidString) < ($1.latest.content.name, $1.id.uuidString) }
                .map { JSONValue.object(Present.file($0, $0.latest)) }
            return Response.json(["items": .array(items)])
        }
        router.get("projects/:id/files/:fid") { request, context in
            let project = try await api.authorizedProject(try request.uuidParameter("id", context), .fileView, context)
            return Response.json(Present.fileWithRevisions(try Self.live(project, try request.uuidParameter("fid", context))))
        }
        router.delete("projects/:id/files/:fid") { request, context in
            let raw = try await BodyReader.collect(request, limit: api.configuration.bodyLimit)
            let fileID = try request.uuidParameter("fid", context)
            _ = try await api.mutateProject(try request.uuidParameter("id", context), .fileDelete, request, context) { _ in
                .deleteFile(fileID: fileID, reason: try ProjectRoutes.reason(raw))
            }
            return Response(status: .noContent)
        }
    }

    /// Refuses (409 `deleted`) an upload to a deleted project before any byte is stored.
    static func open(_ project: LoadedProject) throws {
        guard !project.state.deleted else { throw DomainError(.deleted, "the project is deleted; restore it first") }
    }

    /// A file of the project that is not deleted, or 404.
    static func live(_ project: LoadedProject, _ fileID: UUID) throws -> FileRecord {
        guard let record = project.state.files[fileID], !record.deleted else { throw APIError.notFound }
        return record
    }

    static func created(_ state: ProjectState, _ projectID: UUID, _ fileID: UUID) -> Response {
        let record = state.files[fileID]!
        return Response.json(
            .object(Present.file(record, record.latest)), status: .created,
            headers: [.location: "/v1/projects/\(projectID.lowercased)/files/\(fileID.lowercased)"])
    }
}
