public import ApexDomain
public import Foundation
public import Logging

/// Expires request metadata (IP address, user agent, forwarding headers) older than each
/// account's retention (`metadata_retention_days`, default 365), without touching an event.
///
/// Request metadata is sealed under one key per account, calendar month and user
/// (``Sealer/metadataSubject(account:at:user:)``). A run deletes the keys of every month that
/// ended before the cutoff (now minus the retention); the month the cutoff falls in is kept
/// whole. The events stay exactly as they were hashed, so `verify` still passes; the values
/// read as `[erased]`. Each run that deleted keys records `account.metadata_expired` in the
/// account's stream. Running it again (or on several instances) deletes nothing more.
///
/// ```swift
/// let expired = try await MetadataRetention(store: store, logger: logger).run(now: Date())
/// ```
public struct MetadataRetention: Sendable {
    /// What one run did in one account.
    public struct Expiry: Sendable, Hashable {
        /// The account.
        public var account: UUID
        /// The first month (`YYYY-MM`) kept.
        public var keptFrom: String
        /// How many keys were deleted.
        public var keysDeleted: Int
    }

    let store: any EventStore
    let logger: Logger

    /// A retention job over `store`.
    public init(store: any EventStore, logger: Logger) {
        self.store = store
        self.logger = logger
    }

    /// Expires every account's metadata older than its retention at `now`; returns the accounts
    /// where keys were deleted.
    @discardableResult
    public func run(now: Date = Date()) async throws -> [Expiry] {
        var done: [Expiry] = []
        try await store.forEachAccount { stream, account in
            guard let id = account.id else { return true }
            let cutoff = now.addingTimeInterval(-Double(account.metadataRetentionDays) * 86_400)
            let deleted = try await store.expireRequestMetadata(before: cutoff, account: id)
            guard deleted > 0 else { return true }
            let keptFrom = String(Timestamp.format(cutoff).prefix(7))
            let drafts = try AccountDecider.decide(
                .recordMetadataExpired(beforeMonth: keptFrom, keysDeleted: deleted), state: account, context: DecisionContext(now: now))
            // Appended whatever the stream's version: the keys are gone already, and this records it.
            _ = try await store.append(
                drafts.map { $0.proposed(id: UUID(), accountID: id, actor: .service("apex-retention")) }, to: stream, expected: .any)
            logger.info("request metadata expired", metadata: ["account_id": "\(id.lowercased)", "retention.kept_from": "\(keptFrom)", "retention.keys": "\(deleted)"])
            done.append(Expiry(account: id, keptFrom: keptFrom, keysDeleted: deleted))
            return true
        }
        return done
    }

    /// The job as a service run by `serve`: once at start, then every `interval` (a day).
    public func service(every interval: Duration = .seconds(86_400)) -> PeriodicService {
        PeriodicService(name: "metadata retention", every: interval, runsAtStart: true, logger: logger) { try await run() }
    }
}
