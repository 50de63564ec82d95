import ApexDomain
public import Foundation

extension EventStore {
    /// Streams through the whole store and recomputes everything: every hash and chain link,
    /// gap-free versions and positions, every checkpoint's digest and signature, and each stream
    /// head, and every persisted snapshot of this build's domain version against the replay of its
    /// stream up to its version (`snapshot_mismatch`: a cache out of step, which fails the report
    /// but not its stream). A failure never ends the walk: every event, checkpoint and head is checked, and the
    /// report counts every failure (see ``VerifyReport``). Memory grows with the number of
    /// streams, not events (two pages are held: the next one is read while this one is
    /// checked). `progress` gets the number of events checked so far, after every page.
    public func verify(options: VerifyOptions = VerifyOptions(), progress: (@Sendable (Int64) -> Void)? = nil) async throws -> VerifyReport {
        var checker = VerifyState(
            scope: .store, checkpoints: try await checkpoints(), trusted: options.trustedPublicKey, inspect: options.inspect,
            maximumFailures: options.maximumFailures, snapshots: SnapshotCheck(try await snapshots()))
        try await walk(&checker, pageSize: options.pageSize, progress: progress) { after, limit in try await storedRows(after: after, limit: limit) }
        checker.finish(heads: try await streamHeads())
        return checker.report
    }

    /// Verifies one account's streams (its account stream and its projects' streams): every
    /// hash and chain link, gap-free versions from 1, and each of those streams' heads. Nothing
    /// of other accounts is read into the report, and positions and checkpoints are not
    /// checked: they seal the whole store's order, which is the operator's
    /// ``verify(options:progress:)`` (`apex-cli verify`).
    public func verify(account: UUID, options: VerifyOptions = VerifyOptions(), progress: (@Sendable (Int64) -> Void)? = nil) async throws
        -> VerifyReport
    {
        var checker = VerifyState(scope: .account, checkpoints: [], trusted: nil, inspect: options.inspect, maximumFailures: options.maximumFailures)
        try await walk(&checker, pageSize: options.pageSize, progress: progress) { after, limit in
            try await storedRows(account: account, after: after, limit: limit)
        }
        checker.finish(heads: try await streamHeads())
        return checker.report
    }

    /// Feeds `checker` every row `read` pages through, in position order. The next page is read
    /// while this one is checked: reading and hashing overlap.
    private func walk(
        _ checker: inout VerifyState, pageSize: Int, progress: (@Sendable (Int64) -> Void)?,
        read: @escaping @Sendable (Int64, Int) async throws -> [EnvelopeColumns]
    ) async throws {
        var page = try await read(0, pageSize)
        while let last = page.last {
            async let following = read(last.position, pageSize)
            // Each row's own check (canonical texts that hash to its hash) needs no other row,
            // so it is spread over the cores; the chain and the digest then run in order.
            let hashedAsStored = try page.parallelMap(minimumChunk: 256) { $0.hashesAsStored }
            // By index: iterating the rows would copy each (a retain of every text).
            for i in page.indices { checker.check(page[i], hashesAsStored: hashedAsStored[i]) }
            progress?(checker.events)
            page = try await following
        }
    }
}
