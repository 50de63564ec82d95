import ApexFiles
import ApexDomain
public import ApexStore
public import Foundation
public import Logging
import PostgresNIO

/// What a restore drill checked and found.
public struct DrillReport: Sendable, Hashable, Codable {
    /// True when every check passed.
    public var ok: Bool
    /// The base backup restored.
    public var backupID: String?
    /// Each check, in order, with its outcome.
    public var checks: [Check]
    /// The restore's duration: the measured recovery time objective.
    public var restoreSeconds: Double?
    /// The position the scratch store reached.
    public var restoredPosition: Int64?
    /// Events whose hashes `verify` recomputed.
    public var eventsVerified: Int64?
    /// When the drill ran.
    public var ranAt: Date

    /// One check.
    public struct Check: Sendable, Hashable, Codable {
        /// What was checked.
        public var name: String
        /// Whether it passed.
        public var ok: Bool
        /// Details.
        public var detail: String
    }

    enum CodingKeys: String, CodingKey {
        case ok, checks
        case backupID = "backup_id"
        case restoreSeconds = "restore_seconds"
        case restoredPosition = "restored_position"
        case eventsVerified = "events_verified"
        case ranAt = "ran_at"
    }
}

/// `backup verify`: restore the newest backup into a scratch store, verify and replay it, and
/// compare it with the manifests. A backup that has not passed a drill is not a backup.
public struct RestoreDrill: Sendable {
    let target: any BackupTarget
    let postgresServer: StoreURL.PostgresLocation?
    let logger: Logger

    /// A drill over `target`; PostgreSQL backups are restored into a scratch database created on `postgresServer`.
    public init(target: any BackupTarget, postgresServer: StoreURL.PostgresLocation?, logger: Logger) {
        self.target = target
        self.postgresServer = postgresServer
        self.logger = logger
    }

    /// Runs the drill.
    public func run() async throws -> DrillReport {
        var report = DrillReport(ok: false, checks: [], ranAt: Date())
        func check(_ name: String, _ ok: Bool, _ detail: String) { report.checks.append(.init(name: name, ok: ok, detail: detail)) }
        let manifests = try await Restorer.manifests(in: target)
        guard let newest = manifests.last else {
            check("base backup present", false, "no base backup in \(target)")
            return report
        }
        report.backupID = newest.id
        for manifest in manifests {
            for file in manifest.files {
                let data = try? await target.get("base/\(manifest.id)/\(file.name)")
                check("sha256 base/\(manifest.id)/\(file.name)", data?.sha256Hex == file.sha256, data == nil ? "missing" : "\(file.bytes) bytes")
            }
        }
        let segments = try await LogShipper.segments(in: target)
        var expected = newest.lastPosition
        for segment in segments where segment.to > newest.lastPosition { expected = max(expected, segment.to) }
        guard report.checks.allSatisfy(\.ok) else { return report }

        let scratchBlobs = FileManager.default.temporaryDirectory.appendingPathComponent("apex-drill-blobs-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: scratchBlobs) }
        try await withScratchStore(kind: newest.storeKind) { url in
            do {
                var restorer = Restorer(target: target, logger: logger)
                restorer.blobs = BackupBlobs(LocalBlobStore(root: scratchBlobs))
                let restored = try await restorer.restore(into: url, at: .latest, force: true)
                report.restoreSeconds = restored.seconds
                report.restoredPosition = restored.restoredPosition
                check("restore", true, "base \(restored.baseID) + \(restored.segmentsApplied) segments in \(String(format: "%.3f", restored.seconds)) s")
                check("restored position", restored.restoredPosition == expected, "restored to \(restored.restoredPosition), backups hold up to \(expected)")
                check("file blobs", true, "\(restored.blobsRestored ?? 0) blobs the events name, each restored and checked by hash")
            } catch {
                check("restore", false, "\(error)")
                return
            }
            try await EventStores.withStore(url: url, logger: logger) { store in
                let verify = try await store.verify(options: VerifyOptions(inspect: DomainReplay().inspect))
                report.eventsVerified = verify.eventsChecked
                check("verify and replay", verify.ok, verify.firstFailure.map(\.description) ?? "\(verify.eventsChecked) events, \(verify.checkpointsChecked) checkpoints")
                var mismatched: [String] = []
                for (stream, head) in newest.chainHeads.sorted(by: { $0.key < $1.key }) {
                    let event = try await store.readStream(StreamID(rawValue: stream), from: head.version, limit: 1, mode: .stored).first
                    if event?.hash != head.hash { mismatched.append(stream) }
                }
                check("chain heads match the manifest", mismatched.isEmpty,
                      mismatched.isEmpty ? "\(newest.chainHeads.count) streams" : "differs: \(mismatched.prefix(5).joined(separator: ", "))")
            }
        }
        report.ok = report.checks.allSatisfy(\.ok)
        return report
    }

    private func withScratchStore(kind: String, _ body: (String) async throws -> Void) async throws {
        if kind == "sqlite" {
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("apex-drill-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: dir) }
            try await body("sqlite:\(dir.path)/apex.sqlite")
            return
        }
        guard let server = postgresServer else {
            throw BackupError(.refused, "the newest backup is a PostgreSQL backup: pass --store postgres://… naming a server to restore a scratch copy into")
        }
        let name = "apex_drill_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(12).lowercased()
        let client = PostgresClient(configuration: EventStores.postgresConfiguration(server), backgroundLogger: logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            try await client.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)"), logger: logger)
            var scratch = server
            scratch.database = name
            let url = "postgres://\(scratch.user)\(scratch.password.map { ":\($0)" } ?? "")@\(scratch.host):\(scratch.port)/\(name)"
                + (scratch.socketDirectory.map { "?host=\($0)" } ?? "")
            do { try await body(url) } catch {
                _ = try? await client.query(PostgresQuery(unsafeSQL: "DROP DATABASE IF EXISTS \(name) WITH (FORCE)"), logger: logger)
                throw error
            }
            try await client.query(PostgresQuery(unsafeSQL: "DROP DATABASE IF EXISTS \(name) WITH (FORCE)"), logger: logger)
        }
    }
}
