import ApexDomain
import ApexStore
public import Foundation
import Synchronization
import GRDB
public import Logging
import PostgresNIO

/// `backup create`: a consistent online base backup of a running store, with its manifest.
///
/// SQLite goes through SQLite's online backup API (GRDB) into a scratch file whose own content
/// then yields the manifest; PostgreSQL through `pg_dump -Fc` inside an exported snapshot whose
/// transaction also reads the manifest's facts, so both describe exactly the same state.
public struct BaseBackup: Sendable {
    let storeURL: String
    let targets: [any BackupTarget]
    let logger: Logger
    let clock: @Sendable () -> Date
    /// Where the store's file blobs are, so the backup carries every blob its events name
    /// (nil: the events only).
    public var blobs: BackupBlobs?

    /// A backup of `storeURL` into `target`.
    public init(storeURL: String, target: any BackupTarget, logger: Logger, clock: @escaping @Sendable () -> Date = { Date() }) {
        self.init(storeURL: storeURL, targets: [target], logger: logger, clock: clock)
    }

    /// One backup of `storeURL`, written to each of `targets` (`--to` repeated).
    public init(storeURL: String, targets: [any BackupTarget], logger: Logger, clock: @escaping @Sendable () -> Date = { Date() }) {
        self.storeURL = storeURL
        self.targets = targets
        self.logger = logger
        self.clock = clock
    }

    /// Takes the backup and returns its manifest; throws the first destination's failure.
    public func create() async throws -> BackupManifest {
        let result = try await createAtEveryTarget()
        if let failed = result.destinations.first(where: { !$0.ok }), case .failure(let error) = failed.result { throw error }
        return result.manifest
    }

    /// Takes the backup once and writes it to every target at once. Throws only when the backup
    /// cannot be taken; a destination that cannot be written is reported in its ``Delivery``
    /// (with the keys written on success) and does not keep the others from getting it.
    public func createAtEveryTarget() async throws -> BaseBackupResult {
        let now = clock()
        let id = Self.id(for: now)
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("apex-backup-\(UUID().uuidString)")
        try PrivateFiles.createFolder(scratch)
        defer { try? FileManager.default.removeItem(at: scratch) }
        var manifest: BackupManifest
        let payload: Data
        let fileName: String
        switch try StoreURL(storeURL) {
        case .sqlite(let path):
            let copy = scratch.appendingPathComponent("store.sqlite").path
            try Self.sqliteOnlineBackup(from: path, to: copy)
            manifest = try await Self.describe(url: "sqlite:\(copy)", id: id, kind: "sqlite", now: now)
            payload = try Gzip.compress(try Data(contentsOf: URL(fileURLWithPath: copy)))
            fileName = "store.sqlite.gz"
        case .postgres(let location):
            let dump = scratch.appendingPathComponent("store.pgdump").path
            manifest = try await PostgresDump(location: location, logger: logger).dump(to: dump, id: id, now: now)
            payload = try Data(contentsOf: URL(fileURLWithPath: dump))
            fileName = "store.pgdump"
        }
        manifest.files = [BackupManifest.File(name: fileName, sha256: payload.sha256Hex, bytes: payload.count)]
        var named: [BackupBlobs.Named] = []
        if blobs != nil {
            let through = manifest.lastPosition
            named = try await EventStores.withExistingStore(url: storeURL, logger: logger) { try await BackupBlobs.named(in: $0, through: through) }
            manifest.blobs = named.count
        }
        // The blobs first and the manifest last: a backup without one is incomplete and never restored.
        let files = [("base/\(id)/\(fileName)", payload), ("base/\(id)/manifest.json", try DomainCoder.encoder.encode(manifest))]
        let lost = Mutex<[VerifyFailure]>([])
        let destinations = await Delivery.toEach(targets) { [blobs, logger, named] target in
            if let blobs {
                var held = try await BackupBlobs.held(at: target)
                let missing = try await blobs.ship(named, to: target, held: &held)
                for failure in missing { logger.error("a file blob could not be backed up", metadata: ["error": "\(failure)"]) }
                lost.withLock { $0 += missing }
            }
            for (key, data) in files { try await target.put(key, data) }
            return files.map { $0.0 }
        }
        for outcome in destinations {
            var metadata: Logger.Metadata = ["backup.id": "\(id)", "backup.destination": "\(outcome.destination)"]
            switch outcome.result {
            case .success:
                metadata["backup.last_position"] = "\(manifest.lastPosition)"
                logger.info("base backup written", metadata: metadata)
            case .failure(let error):
                metadata["error"] = "\(error)"
                logger.error("base backup not written", metadata: metadata)
            }
        }
        var result = BaseBackupResult(manifest: manifest, destinations: destinations)
        result.blobsLost = lost.withLock { Array(Set($0.map(\.description))).sorted() }
        return result
    }

    /// A sortable id: the UTC time to the microsecond.
    static func id(for date: Date) -> String {
        Timestamp.format(date).replacingOccurrences(of: ":", with: "").replacingOccurrences(of: "-", with: "").replacingOccurrences(of: ".", with: "")
    }

    static func sqliteOnlineBackup(from path: String, to copy: String) throws {
        guard FileManager.default.fileExists(atPath: path) else { throw BackupError(.notFound, "no SQLite store at \(path)") }
        var configuration = Configuration()
        configuration.readonly = true
        configuration.busyMode = .timeout(10)
        let source = try DatabaseQueue(path: path, configuration: configuration)
        try PrivateFiles.prepareSQLiteFile(atPath: copy)
        let destination = try DatabaseQueue(path: copy)
        try source.backup(to: destination)
        try destination.close()
        try source.close()
    }

    /// The manifest facts of the store at `url` (a scratch copy, so nothing moves while reading).
    static func describe(url: String, id: String, kind: String, now: Date) async throws -> BackupManifest {
        try await EventStores.withStore(url: url) { store in
            let head = try await store.headPosition()
            let heads = try await store.streamHeads()
            let last = head > 0 ? try await store.readAll(after: head - 1, limit: 1, mode: .stored).first : nil
            let checkpoint = try await store.checkpoints().last
            return BackupManifest(
                id: id, storeKind: kind, schemaVersion: 1, lastPosition: head, lastRecordedAt: last?.recordedAt,
                chainHeads: Dictionary(uniqueKeysWithValues: heads.map { ($0.key.rawValue, BackupManifest.Head(version: $0.value.version, hash: $0.value.hash)) }),
                latestCheckpoint: checkpoint.map { .init(position: $0.position, digest: $0.digest) }, files: [], createdAt: now,
                apexVersion: apexVersion)
        }
    }
}

/// One base backup and how each destination it went to fared.
public struct BaseBackupResult: Sendable, Encodable {
    /// The backup's manifest (the same at every destination).
    public var manifest: BackupManifest
    /// Each destination's outcome, in the order given; on success the keys written there.
    public var destinations: [Delivery<[String]>]
    /// The file blobs the events name that the blob store had lost (missing or altered), so
    /// no destination holds them: a restore of this backup fails on them until they are found.
    public var blobsLost: [String] = []
    /// Whether every destination holds the backup, every blob included.
    public var ok: Bool { destinations.allSatisfy(\.ok) && blobsLost.isEmpty }

    enum CodingKeys: String, CodingKey { case ok, manifest, destinations, blobsLost = "blobs_lost" }

    /// `{"ok", "manifest", "destinations", "blobs_lost"}`.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(ok, forKey: .ok)
        try container.encode(manifest, forKey: .manifest)
        try container.encode(destinations, forKey: .destinations)
        try container.encode(blobsLost, forKey: .blobsLost)
    }
}
