extension ProjectDecider {
    /// The file commands: upload, revise, delete, record a scan, a link or a thumbnail. The project
    /// exists and is not deleted (checked by ``decide(_:state:context:)``).
    static func decideFile(_ command: ProjectCommand, state: ProjectState) throws(DomainError) -> [DraftEvent] {
        switch command {
        case .uploadFile(let fileID, let content, let status):
            try writable(state)
            guard state.files[fileID] == nil else { throw DomainError(.alreadyExists, "file \(fileID.lowercased) exists already") }
            try content.validate()
            return [try DecideSupport.draft(FileUploaded(fileID: fileID, revision: 1, content: content, status: try initial(status)))]
        case .reviseFile(let fileID, let content, let status):
            try writable(state)
            let record = try live(state, fileID)
            try content.validate()
            return [try DecideSupport.draft(
                FileUploaded(fileID: fileID, revision: record.latestRevision + 1, content: content, status: try initial(status)))]
        case .deleteFile(let fileID, let reason):
            try writable(state)
            _ = try live(state, fileID)
            return [try DecideSupport.draft(FileDeleted(fileID: fileID), reason: try DecideSupport.required(reason, "deleting a file"))]
        case .recordFileScan(let scan):
            guard let revision = state.files[scan.fileID]?.revision(scan.revision) else {
                throw DomainError(.notFound, "file \(scan.fileID.lowercased) has no revision \(scan.revision)")
            }
            guard scan.result == .clean || scan.result == .infected else {
                throw DomainError(.invalidInput, "a scan result is clean or infected", field: "result")
            }
            guard revision.status == .pendingScan || revision.status == .unscanned else {
                throw DomainError(.alreadyExists, "revision \(scan.revision) was scanned already (\(revision.status.rawValue))")
            }
            return [try DecideSupport.draft(scan)]
        case .createFileLink(let fileID, let revision, let expiresAt):
            guard try live(state, fileID).revision(revision) != nil else {
                throw DomainError(.notFound, "file \(fileID.lowercased) has no revision \(revision)", field: "revision")
            }
            return [try DecideSupport.draft(FileLinkCreated(fileID: fileID, revision: revision, expiresAt: expiresAt))]
        case .recordFileThumbnail(let thumbnail):
            guard let revision = try live(state, thumbnail.fileID).revision(thumbnail.revision) else {
                throw DomainError(.notFound, "file \(thumbnail.fileID.lowercased) has no revision \(thumbnail.revision)")
            }
            guard revision.status.isServable else {
                throw DomainError(.invalidTransition, "revision \(thumbnail.revision) is \(revision.status.rawValue): only a servable revision gets a thumbnail")
            }
            guard revision.thumbnail == nil else { throw DomainError(.alreadyExists, "revision \(thumbnail.revision) has a thumbnail already") }
            try thumbnail.image.validate()
            return [try DecideSupport.draft(thumbnail)]
        default:
            throw DomainError(.invalidInput, "not a file command")
        }
    }

    /// A file that exists and is not deleted.
    private static func live(_ state: ProjectState, _ fileID: UUID) throws(DomainError) -> FileRecord {
        guard let record = state.files[fileID], !record.deleted else {
            throw DomainError(.notFound, "file \(fileID.lowercased) does not exist")
        }
        return record
    }

    /// A new revision starts `unscanned` or `pending_scan`; a verdict comes only from `file.scanned`.
    private static func initial(_ status: FileScanStatus) throws(DomainError) -> FileScanStatus {
        guard status == .unscanned || status == .pendingScan else {
            throw DomainError(.invalidInput, "a new revision starts unscanned or pending_scan", field: "status")
        }
        return status
    }
}

import struct Foundation.UUID
