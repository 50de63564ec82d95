import ApexDomain
public import Foundation
public import Logging

/// What `backup prune` deleted and kept.
public struct PruneReport: Sendable, Hashable, Codable {
    /// Base backups kept.
    public var keptBackups: [String]
    /// Base backups deleted.
    public var deletedBackups: [String]
    /// Segments deleted (their data keys).
    public var deletedSegments: [String]

    enum CodingKeys: String, CodingKey {
        case keptBackups = "kept_backups"
        case deletedBackups = "deleted_backups"
        case deletedSegments = "deleted_segments"
    }
}

/// `backup prune`: retention over base backups and segments. It never deletes the newest good
/// base backup, nor a segment that a kept backup needs for a point-in-time restore.
public struct Pruner: Sendable {
    let target: any BackupTarget
    let logger: Logger

    /// A pruner of `target`.
    public init(target: any BackupTarget, logger: Logger) {
        self.target = target
        self.logger = logger
    }

    /// Keeps backups younger than `keepDays` and the newest `keepLast` (at least one good one).
    public func prune(keepDays: Int, keepLast: Int, now: Date = Date()) async throws -> PruneReport {
        let manifests = try await Restorer.manifests(in: target).sorted { $0.createdAt < $1.createdAt }
        let cutoff = now.addingTimeInterval(-Double(keepDays) * 86_400)
        var keep = Set(manifests.filter { $0.createdAt >= cutoff }.map(\.id))
        for m in manifests.suffix(max(0, keepLast)) { keep.insert(m.id) }
        // The newest backup whose files are intact is always kept.
        for m in manifests.reversed() {
            var intact = !m.files.isEmpty
            for file in m.files where (try? await target.get("base/\(m.id)/\(file.name)"))?.sha256Hex != file.sha256 { intact = false }
            if intact {
                keep.insert(m.id)
                break
            }
        }
        var report = PruneReport(keptBackups: manifests.filter { keep.contains($0.id) }.map(\.id), deletedBackups: [], deletedSegments: [])
        for m in manifests where !keep.contains(m.id) {
            for key in try await target.list(prefix: "base/\(m.id)/") { try await target.delete(key) }
            report.deletedBackups.append(m.id)
        }
        // Segments wholly before the oldest kept backup are needed by no restore.
        let floor = manifests.filter { keep.contains($0.id) }.map(\.lastPosition).min() ?? 0
        for segment in try await LogShipper.segments(in: target) where segment.to <= floor {
            try await target.delete(segment.dataKey)
            try await target.delete(segment.infoKey)
            report.deletedSegments.append(segment.dataKey)
        }
        logger.info("pruned backups", metadata: ["backup.deleted": "\(report.deletedBackups.count)", "backup.kept": "\(report.keptBackups.count)"])
        return report
    }
}
