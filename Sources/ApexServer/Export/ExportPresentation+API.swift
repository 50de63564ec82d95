package import ApexDomain
package import ApexExport
package import Foundation

extension ExportPresentation {
    /// The API's own shapes: projects as `GET /v1/projects/{id}`, calculation revisions as
    /// `GET /v1/projects/{id}/calculations` (each with its approval), audit entries as
    /// `GET /v1/projects/{id}/events`. With `users` (for owners and admins, and the offline
    /// operator) entries show request metadata and name their actors; without, neither.
    package static func api(users: [UUID: AccountUser]?) -> ExportPresentation {
        ExportPresentation(
            project: { Present.project($0) },
            calculation: { record, revision, approvedAt in
                var o = Present.calculation(record.id, revision: revision, result: record.revisions[revision - 1])
                o["approval"] = record.approvals[revision].map { Present.approval($0, at: approvedAt) } ?? .null
                return .object(o)
            },
            entry: { Present.entry($0, users: users) })
    }
}
