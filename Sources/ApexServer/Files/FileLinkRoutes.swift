import ApexDomain
import ApexFiles
import ApexStore
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// Signed direct links: `POST /v1/projects/{id}/files/{fid}/links` `{ttl_seconds?, revision?}`
/// hands one out (recorded as `file.link_created`), and `GET /v1/file-links/{project}/{file}/{revision}?expires=&signature=`
/// serves it without a bearer token until it expires.
///
/// A link whose signature does not match (any byte of it, or of the path or expiry, changed) is
/// 403 `invalid_link` whether or not the project exists; a genuine link past its expiry is 403
/// `link_expired`; a genuine, current link to a file deleted since is 404.
struct FileLinkRoutes {
    let api: ApexAPI

    func register(public router: RouterGroup<ApexRequestContext>, authed: RouterGroup<ApexRequestContext>) {
        authed.post("projects/:id/files/:fid/links") { request, context in
            let raw = try await BodyReader.collect(request, limit: api.configuration.bodyLimit)
            guard let signer = api.fileLinks else {
                throw APIError(.serviceUnavailable, code: "file_links_not_configured", "direct links are not configured on this server: set APEX_FILE_LINK_KEY")
            }
            let id = try request.uuidParameter("id", context)
            let fileID = try request.uuidParameter("fid", context)
            var link: FileLink?
            let state = try await api.mutateProject(id, .fileView, request, context) { project in
                let body = raw.readableBytes == 0 ? BodyReader(object: [:]) : try BodyReader.parse(raw).only(["ttl_seconds", "revision"])
                let ttl = try body.int("ttl_seconds") ?? Int(FileLinkSigner.defaultLifetime)
                guard (1...Int(FileLinkSigner.maximumLifetime)).contains(ttl) else {
                    throw APIError(.unprocessableContent, code: "invalid_input", "ttl_seconds must be from 1 to \(FileLinkSigner.maximumLifetime) (7 days)", field: "ttl_seconds")
                }
                let record = try FileRoutes.live(project, fileID)
                let revision = try body.int("revision") ?? record.latestRevision
                let expires = Int64(api.configuration.clock().timeIntervalSince1970.rounded(.down)) + Int64(ttl)
                link = FileLink(account: project.state.accountID ?? UUID(), project: id, file: fileID, revision: revision, expires: expires)
                return .createFileLink(fileID: fileID, revision: revision, expiresAt: Date(timeIntervalSince1970: TimeInterval(expires)))
            }
            _ = state
            let granted = link!
            return Response.json(
                [
                    "url": .string(granted.path(signature: signer.signature(granted))), "revision": .number(Double(granted.revision)),
                    "expires_at": .string(Timestamp.format(Date(timeIntervalSince1970: TimeInterval(granted.expires)))),
                ], status: .created)
        }
        router.get("file-links/:pid/:fid/:rev") { request, context in
            guard let signer = api.fileLinks else { throw Self.invalid }
            guard let project = context.parameters.get("pid").flatMap(UUID.init(uuidString:)),
                let file = context.parameters.get("fid").flatMap(UUID.init(uuidString:)),
                let revision = context.parameters.get("rev").flatMap({ Int($0) }),
                let expires = request.query("expires").flatMap({ Int64($0) }), let signature = request.query("signature")
            else { throw Self.invalid }
            // The signature covers the account, which only the project knows: a missing project is
            // checked against a zero account, so a forged link to it fails the same way.
            let loaded = try await api.loadProject(project)
            let account = loaded?.state.accountID ?? UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0))
            guard signer.isValid(signature, for: FileLink(account: account, project: project, file: file, revision: revision, expires: expires)) else {
                throw Self.invalid
            }
            guard Int64(api.configuration.clock().timeIntervalSince1970) <= expires else {
                throw APIError(.forbidden, code: "link_expired", "this link has expired; ask for a new one")
            }
            guard let loaded, !loaded.state.deleted, let record = loaded.state.files[file], !record.deleted,
                let shown = record.revision(revision)
            else { throw APIError.notFound }
            return try await api.serveRevision(shown, request, context)
        }
    }

    static let invalid = APIError(.forbidden, code: "invalid_link", "this link is not valid")
}
