import ApexDomain
public import ApexStore
public import Foundation
public import Logging

/// Continuous log shipping: the events after the last shipped position, as verifiable segments.
///
/// Because the log is append-only and hash-chained, a segment is just the stored events of a
/// position range; a restore replays them after a base backup and the chain proves nothing was
/// lost or changed in between.
public struct LogShipper: Sendable {
    let store: any EventStore
    let target: any BackupTarget
    let logger: Logger
    let maxEventsPerSegment: Int
    let clock: @Sendable () -> Date
    let blobs: BackupBlobs?

    /// A shipper from `store` to `target`; with `blobs`, each segment's file blobs go first.
    public init(
        store: any EventStore, target: any BackupTarget, logger: Logger, maxEventsPerSegment: Int = 10_000,
        blobs: BackupBlobs? = nil, clock: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.store = store
        self.target = target
        self.logger = logger
        self.maxEventsPerSegment = maxEventsPerSegment
        self.blobs = blobs
        self.clock = clock
    }

    /// The segments at the target, in position order.
    public static func segments(in target: any BackupTarget) async throws -> [SegmentInfo] {
        var result: [SegmentInfo] = []
        for key in try await target.list(prefix: "segments/") where key.hasSuffix(".json") {
            result.append(try DomainCoder.decoder.decode(SegmentInfo.self, from: try await target.get(key)))
        }
        return result.sorted { $0.from < $1.from }
    }

    /// Ships everything committed since the last segment; returns the new segments.
    @discardableResult
    public func shipOnce() async throws -> [SegmentInfo] {
        var cursor = try await Self.segments(in: target).last?.to ?? 0
        let head = try await store.headPosition()
        var shipped: [SegmentInfo] = []
        var held = blobs == nil ? [] : try await BackupBlobs.held(at: target)
        var seen = held
        while cursor < head {
            let events = try await store.readAll(after: cursor, limit: maxEventsPerSegment, mode: .stored).filter { $0.position <= head }
            guard let first = events.first, let last = events.last else { break }
            // The blobs before the segment that names them.
            for lost in try await blobs?.ship(try BackupBlobs.named(by: events, seen: &seen), to: target, held: &held) ?? [] {
                logger.error("a file blob could not be shipped", metadata: ["error": "\(lost)"])
            }
            let data = try Gzip.compress(SegmentCodec.encode(events))
            let info = SegmentInfo(
                from: cursor, to: last.position, count: events.count, sha256: data.sha256Hex, firstRecordedAt: first.recordedAt,
                lastRecordedAt: last.recordedAt, createdAt: clock())
            try await target.put(info.dataKey, data)
            try await target.put(info.infoKey, try DomainCoder.encoder.encode(info))
            shipped.append(info)
            cursor = last.position
        }
        if !shipped.isEmpty {
            logger.info("shipped log segments", metadata: ["backup.segments": "\(shipped.count)", "backup.to_position": "\(cursor)"])
        }
        return shipped
    }
}

extension LogShipper {
    /// Ships from `store` to each of `targets` at once (`--to` repeated). Each destination keeps
    /// its own cursor (its last segment), so one that was down catches up on the next run; a
    /// destination that fails is reported in its ``Delivery`` and does not stop the others.
    public static func shipOnce(
        from store: any EventStore, to targets: [any BackupTarget], logger: Logger, maxEventsPerSegment: Int = 10_000, blobs: BackupBlobs? = nil
    ) async -> [Delivery<[SegmentInfo]>] {
        await Delivery.toEach(targets) { target in
            try await LogShipper(store: store, target: target, logger: logger, maxEventsPerSegment: maxEventsPerSegment, blobs: blobs).shipOnce()
        }
    }

    /// Ships every `interval` while a server runs (first right away), and once more at shutdown.
    public func service(every interval: Duration) -> PeriodicService {
        PeriodicService(name: "log shipping", every: interval, runsAtStart: true, finalRun: true, logger: logger) { try await shipOnce() }
    }
}

extension BaseBackup {
    /// Takes a base backup every `interval` while a server runs.
    public func service(every interval: Duration) -> PeriodicService {
        PeriodicService(name: "scheduled backup", every: interval, logger: logger) { _ = try await create() }
    }
}
