import ApexDomain
import Foundation

extension Present {
    /// A file at one revision: `{file_id, revision, name, content_type, size, sha256, status, description, created_at, created_by}`.
    static func file(_ record: FileRecord, _ revision: FileRevision) -> [String: JSONValue] {
        [
            "file_id": uuid(record.id), "revision": .number(Double(revision.revision)), "name": .string(revision.content.name),
            "content_type": .string(revision.content.contentType), "size": .number(Double(revision.content.size)),
            "sha256": .string(revision.content.sha256), "status": .string(revision.status.rawValue),
            "description": revision.content.description.map { .string($0) } ?? .null,
            "created_at": date(revision.createdAt), "created_by": uuid(revision.createdBy),
        ]
    }

    /// A file with every revision (the latest's fields at the top, as in a list).
    static func fileWithRevisions(_ record: FileRecord) -> JSONValue {
        var o = file(record, record.latest)
        o["revisions"] = .array(record.revisions.map { .object(file(record, $0)) })
        return .object(o)
    }
}
