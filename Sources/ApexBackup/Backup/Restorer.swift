import ApexDomain
import ApexStore
public import Foundation
import GRDB
public import Logging
import PostgresNIO

/// The point a restore brings the store to.
public enum RestorePoint: Sendable, Hashable, CustomStringConvertible {
    /// Everything the backups hold.
    case latest
    /// Every event recorded at or before this time (a prefix of the log).
    case time(Date)
    /// Every event up to and including this position.
    case position(Int64)

    /// For reports.
    public var description: String {
        switch self {
        case .latest: "latest"
        case .time(let t): "time \(Timestamp.format(t))"
        case .position(let p): "position \(p)"
        }
    }
}

/// What a restore did.
public struct RestoreResult: Sendable, Hashable, Codable {
    /// The base backup used.
    public var baseID: String
    /// Its last position.
    public var basePosition: Int64
    /// The last position restored.
    public var restoredPosition: Int64
    /// Segments replayed after the base.
    public var segmentsApplied: Int
    /// Data subjects whose keys were deleted again because the log records their erasure.
    public var erasuresReapplied: Int
    /// Seconds the restore took.
    public var seconds: Double
    /// Distinct file blobs the restored events name, all written to the blob store and
    /// checked by hash (nil: restored without a blob store).
    public var blobsRestored: Int?

    enum CodingKeys: String, CodingKey {
        case seconds
        case blobsRestored = "blobs_restored"
        case baseID = "base_id"
        case basePosition = "base_position"
        case restoredPosition = "restored_position"
        case segmentsApplied = "segments_applied"
        case erasuresReapplied = "erasures_reapplied"
    }
}

/// `backup restore`: a base backup plus the shipped segments up to the point asked for.
public struct Restorer: Sendable {
    let target: any BackupTarget
    let logger: Logger
    /// Where the restored store's file blobs go: every blob its events name is copied from the
    /// backup and checked by hash, and a missing or altered one fails the restore (nil: events only).
    public var blobs: BackupBlobs?

    /// A restorer reading from `target`.
    public init(target: any BackupTarget, logger: Logger) {
        self.target = target
        self.logger = logger
    }

    /// The base backups at the target, oldest first.
    ///
    /// Each manifest must name its own folder as its id and list only plain file names inside
    /// it; otherwise ``BackupError/Code/corrupt``: restore, drill and prune never follow a name
    /// out of the backup.
    public static func manifests(in target: any BackupTarget) async throws -> [BackupManifest] {
        var result: [BackupManifest] = []
        for key in try await target.list(prefix: "base/") where key.hasSuffix("/manifest.json") {
            let manifest = try DomainCoder.decoder.decode(BackupManifest.self, from: try await target.get(key))
            guard key == "base/\(manifest.id)/manifest.json" else {
                throw BackupError(.corrupt, "\(key) names the backup id '\(manifest.id)', not its own folder: the manifest was altered")
            }
            for file in manifest.files { try BackupKey.validateFileName(file.name, backup: manifest.id) }
            result.append(manifest)
        }
        return result.sorted { ($0.lastPosition, $0.id) < ($1.lastPosition, $1.id) }
    }

    /// Restores into the store at `url`, refusing a non-empty store unless `force`.
    public func restore(into url: String, at point: RestorePoint, force: Bool) async throws -> RestoreResult {
        let started = Date()
        let candidates = try await Self.manifests(in: target).filter { m in
            switch point {
            case .latest: true
            case .position(let p): m.lastPosition <= p
            case .time(let t): m.lastPosition == 0 || (m.lastRecordedAt.map { $0 <= t } ?? false)
            }
        }
        guard let base = candidates.last else { throw BackupError(.notFound, "no base backup at or before \(point) in \(target)") }
        guard let file = base.files.first else { throw BackupError(.corrupt, "base backup \(base.id) lists no files") }
        let payload = try await target.get("base/\(base.id)/\(file.name)")
        guard payload.sha256Hex == file.sha256 else { throw BackupError(.corrupt, "base backup \(base.id): \(file.name) does not match its SHA-256") }

        switch try StoreURL(url) {
        case .sqlite(let path):
            guard base.storeKind == "sqlite" else { throw BackupError(.refused, "base backup \(base.id) is a \(base.storeKind) backup; restore it into a \(base.storeKind) store") }
            try Self.prepareSQLite(path: path, force: force)
            try PrivateFiles.createFolder(URL(fileURLWithPath: path).deletingLastPathComponent())
            try PrivateFiles.write(try Gzip.decompress(payload), to: URL(fileURLWithPath: path))
        case .postgres(let location):
            guard base.storeKind == "postgres" else { throw BackupError(.refused, "base backup \(base.id) is a \(base.storeKind) backup; restore it into a \(base.storeKind) store") }
            try await Self.preparePostgres(location, force: force, logger: logger)
            let dump = FileManager.default.temporaryDirectory.appendingPathComponent("apex-restore-\(UUID().uuidString).pgdump")
            try PrivateFiles.write(payload, to: dump)
            defer { try? FileManager.default.removeItem(at: dump) }
            try await PostgresDump(location: location, logger: logger).restore(from: dump.path)
        }

        return try await EventStores.withStore(url: url, projections: [ProjectListProjection()], logger: logger) { store in
            var applied = 0
            var head = try await store.headPosition()
            guard head == base.lastPosition else {
                throw BackupError(.corrupt, "base backup \(base.id) restored to position \(head), its manifest says \(base.lastPosition)")
            }
            segments: for segment in try await LogShipper.segments(in: target) where segment.to > head {
                if case .position(let p) = point, head >= p { break }
                let data = try await target.get(segment.dataKey)
                guard data.sha256Hex == segment.sha256 else { throw BackupError(.corrupt, "segment \(segment.dataKey) does not match its SHA-256") }
                var events = try SegmentCodec.decode(try Gzip.decompress(data)).filter { $0.position > head }
                var stop = false
                if case .position(let p) = point, let cut = events.firstIndex(where: { $0.position > p }) {
                    events = Array(events[..<cut])
                    stop = true
                }
                if case .time(let t) = point, let cut = events.firstIndex(where: { $0.recordedAt > t }) {
                    events = Array(events[..<cut])
                    stop = true
                }
                if !events.isEmpty {
                    guard events[0].position == head + 1 else {
                        throw BackupError(.corrupt, "the segments skip from position \(head) to \(events[0].position): a segment is missing")
                    }
                    try await store.importStored(events)
                    head = events.last!.position
                    applied += 1
                }
                if stop { break segments }
            }
            // Erasures recorded anywhere in the shipped log stay in force, even when restoring to
            // a point before them: an erased person's key never comes back from a backup.
            var later: [Erasure] = []
            for segment in try await LogShipper.segments(in: target) where segment.to > head {
                let data = try await target.get(segment.dataKey)
                guard data.sha256Hex == segment.sha256 else { continue }
                later += Self.erasures(in: try SegmentCodec.decode(try Gzip.decompress(data)))
            }
            let erased = try await Self.reapplyErasures(store) + Self.erase(later, in: store)
            let blobsRestored = try await blobs?.restore(namedBy: store, from: target)
            let result = RestoreResult(
                baseID: base.id, basePosition: base.lastPosition, restoredPosition: head, segmentsApplied: applied, erasuresReapplied: erased,
                seconds: Date().timeIntervalSince(started), blobsRestored: blobsRestored)
            logger.info("restore finished", metadata: ["backup.id": "\(base.id)", "restore.position": "\(head)"])
            return result
        }
    }

    /// Erasures recorded in the log stay in force after a restore: their keys are deleted again.
    static func reapplyErasures(_ store: any EventStore) async throws -> Int {
        var found: [Erasure] = []
        var cursor: Int64 = 0
        while true {
            let page = try await store.readAll(after: cursor, limit: 2000, mode: .stored)
            guard let last = page.last else { break }
            found += erasures(in: page)
            cursor = last.position
        }
        return try await erase(found, in: store)
    }

    /// A user erased in an account.
    struct Erasure: Hashable {
        var user: UUID
        var account: UUID
    }

    /// The `user.erased` events among `events`.
    static func erasures(in events: [EventEnvelope]) -> [Erasure] {
        events.compactMap { e in
            guard e.type == UserErased.type, let user = e.data["user_id"]?.stringValue.flatMap(UUID.init(uuidString:)) else { return nil }
            return Erasure(user: user, account: e.accountID)
        }
    }

    /// Deletes the keys of each erasure again (the user's and their request metadata's); how many were deleted.
    static func erase(_ erasures: [Erasure], in store: any EventStore) async throws -> Int {
        var deleted = 0
        for erasure in Set(erasures) { deleted += try await store.eraseUser(erasure.user, account: erasure.account) }
        return deleted
    }

    static func preparePostgres(_ location: StoreURL.PostgresLocation, force: Bool, logger: Logger) async throws {
        let client = PostgresClient(configuration: EventStores.postgresConfiguration(location), backgroundLogger: logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            var hasEvents = false
            var hasTables = false
            for try await exists in try await client.query("SELECT to_regclass('public.events') IS NOT NULL", logger: logger).decode(Bool.self) {
                hasTables = exists
            }
            if hasTables {
                for try await n in try await client.query("SELECT count(*) FROM events", logger: logger).decode(Int64.self) { hasEvents = n > 0 }
            }
            if hasEvents && !force {
                throw BackupError(.refused, "the database \(location.database) holds events; restore into an empty database or pass --force to replace it")
            }
            if hasTables || hasEvents {
                try await client.query("DROP SCHEMA public CASCADE", logger: logger)
                try await client.query("CREATE SCHEMA public", logger: logger)
            }
        }
    }
}
