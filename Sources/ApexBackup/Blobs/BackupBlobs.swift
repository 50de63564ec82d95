import ApexDomain
public import ApexFiles
import ApexStore
import Foundation
import NIOCore

/// File blobs in backups. A blob is content-addressed and never changes, so a destination keeps
/// one copy of each at `blobs/<sha256>`, shared by every base backup and segment that names it
/// (``BlobAudit/namedBlobs(_:)``: a revision's bytes, a thumbnail).
///
/// - A base backup copies the blobs of every event it holds, a shipped segment those of its
///   events, each before its manifest or segment is written: a backup never names a blob its
///   destination lacks, unless the blob store had already lost it (then it is reported).
/// - A restore copies back the blobs of every event it restored, each checked against the hash
///   its event recorded: a missing or altered blob fails the restore and the drill.
///
/// Bytes are read whole into memory, one blob at a time (bounded by `APEX_MAX_UPLOAD_BYTES`).
public struct BackupBlobs: Sendable {
    /// The blob store the server writes to (backups) or the restored store's (restores).
    public let blobs: any BlobStore

    /// Blobs in `blobs`.
    public init(_ blobs: any BlobStore) { self.blobs = blobs }

    /// The key of a blob at a destination.
    static func key(_ sha256: String) -> String { "blobs/\(sha256)" }

    /// The blobs at `target` (their SHA-256s).
    static func held(at target: any BackupTarget) async throws -> Set<String> {
        Set(try await target.list(prefix: "blobs/").map { String($0.dropFirst("blobs/".count)) })
    }

    /// A blob an event names, with the first event that named it (for messages).
    struct Named: Sendable {
        var sha256: String
        var failure: @Sendable (_ message: String) -> VerifyFailure
    }

    /// The distinct blobs `events` name that are not in `seen`, which gains them.
    static func named(by events: [EventEnvelope], seen: inout Set<String>) throws -> [Named] {
        var result: [Named] = []
        for event in events {
            for (sha256, name) in try BlobAudit.namedBlobs(event) where seen.insert(sha256).inserted {
                result.append(Named(sha256: sha256) { message in
                    VerifyFailure(
                        kind: "blob_missing", stream: event.stream.rawValue, version: event.version, position: event.position,
                        message: "the blob of \(name) \(message)")
                })
            }
        }
        return result
    }

    /// The distinct blobs the events of `store` name, from the first through `position`.
    static func named(in store: any EventStore, through position: Int64) async throws -> [Named] {
        var seen: Set<String> = []
        var result: [Named] = []
        var after: Int64 = 0
        while after < position {
            let page = try await store.readAll(after: after, limit: 1000, mode: .stored).filter { $0.position <= position }
            guard let last = page.last else { break }
            after = last.position
            result += try named(by: page, seen: &seen)
        }
        return result
    }

    /// Copies to `target` each of `named` that `held` (the destination's blobs) lacks, hashing
    /// the bytes as read. A blob missing or altered in the blob store cannot be backed up: it is
    /// not copied and is returned, named at its event (`apex-cli verify --blobs` names the same),
    /// so the caller reports it instead of failing the events' backup.
    func ship(_ named: [Named], to target: any BackupTarget, held: inout Set<String>) async throws -> [VerifyFailure] {
        var lost: [VerifyFailure] = []
        for blob in named where !held.contains(blob.sha256) {
            held.insert(blob.sha256)
            guard let bytes = try await read(blob.sha256) else {
                lost.append(blob.failure("is missing or altered in the blob store: not backed up"))
                continue
            }
            try await target.put(Self.key(blob.sha256), bytes)
        }
        return lost
    }

    /// Writes into ``blobs`` every blob the events of `store` name, from `target`, checked
    /// against the hash the event recorded; returns how many distinct blobs the events name.
    /// Throws ``BackupError/Code/notFound`` for a blob the backup lacks and
    /// ``BackupError/Code/corrupt`` for one whose bytes hash to something else, naming the event.
    func restore(namedBy store: any EventStore, from target: any BackupTarget) async throws -> Int {
        let named = try await Self.named(in: store, through: try await store.headPosition())
        for blob in named {
            let bytes: Data
            do { bytes = try await target.get(Self.key(blob.sha256)) } catch let error as BackupError where error.code == .notFound {
                throw BackupError(.notFound, blob.failure("is not in the backup").description)
            }
            guard bytes.sha256Hex == blob.sha256 else {
                throw BackupError(.corrupt, blob.failure("does not match its SHA-256 in the backup").description)
            }
            if case .intact = try await blobs.check(blob.sha256) { continue }
            let writer = try await blobs.makeWriter()
            do {
                try await writer.write(ByteBuffer(bytes: bytes))
                _ = try await writer.commit()
            } catch {
                await writer.abort()
                throw error
            }
        }
        return named.count
    }

    /// The blob's bytes when they hash to `sha256`; nil when it is missing or altered.
    private func read(_ sha256: String) async throws -> Data? {
        guard try await blobs.size(of: sha256) != nil else { return nil }
        var bytes = Data()
        try await blobs.read(sha256, range: nil) { buffer in bytes.append(contentsOf: buffer.readableBytesView) }
        return bytes.sha256Hex == sha256 ? bytes : nil
    }
}
