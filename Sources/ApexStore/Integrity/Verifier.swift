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
        let walked = try await walk(&checker, pageSize: options.pageSize, progress: progress) { after, limit in try await storedRows(after: after, limit: limit) }
        // Writes may commit while the log is walked (a primary taking writes, a standby replaying
        // them), so heads read afterwards may count events the walk has not seen: take heads that
        // belong to one position, and walk on exactly to it before comparing.
        let (position, heads) = try await headsAtOnePosition()
        if position > walked {
            try await walk(&checker, after: walked, pageSize: options.pageSize, progress: progress) { after, limit in
                try await storedRows(after: after, limit: limit).filter { $0.position <= position }
            }
        }
        checker.finish(heads: heads)
        return checker.report
    }

    /// The stream heads and the head position they belong to: read between two equal readings
    /// of the head position (an append commits its events, heads and position together, in
    /// position order). Under a steady stream of commits it tries again, up to 100 times, then
    /// gives the last reading.
    private func headsAtOnePosition() async throws -> (Int64, [StreamID: StreamHead]) {
        var before = try await headPosition()
        var heads = try await streamHeads()
        for _ in 0..<100 {
            let after = try await headPosition()
            if after == before { break }
            before = after
            heads = try await streamHeads()
        }
        return (before, heads)
    }

    /// Verifies one account's streams (its account stream and its projects' streams): every
    /// hash and chain link, gap-free versions from 1, each of those streams' heads, and that
    /// every event of the account is in the log each later signed version 2 checkpoint seals
    /// (see ``checkInclusion(_:)``). Nothing of other accounts is read into the report: no other
    /// stream, event or failure. The store's own order, positions and version 1 checkpoints are
    /// the operator's ``verify(options:progress:)`` (`apex-cli verify`).
    public func verify(account: UUID, options: VerifyOptions = VerifyOptions(), progress: (@Sendable (Int64) -> Void)? = nil) async throws
        -> VerifyReport
    {
        var checker = VerifyState(
            scope: .account, checkpoints: try await checkpoints(), trusted: options.trustedPublicKey, inspect: options.inspect,
            maximumFailures: options.maximumFailures)
        let read: @Sendable (Int64, Int) async throws -> [EnvelopeColumns] = { after, limit in
            try await storedRows(account: account, after: after, limit: limit)
        }
        let walked = try await walk(&checker, pageSize: options.pageSize, progress: progress, read: read)
        // As for the whole store: heads of one position, and the account's events up to it.
        let (position, heads) = try await headsAtOnePosition()
        if position > walked {
            try await walk(&checker, after: walked, pageSize: options.pageSize, progress: progress) { after, limit in
                try await read(after, limit).filter { $0.position <= position }
            }
        }
        checker.finish(heads: heads)
        try await checkInclusion(&checker)
        return checker.report
    }

    /// Feeds `checker` every row `read` pages through after `start`, in position order, and
    /// returns the last position read. The next page is read while this one is checked: reading
    /// and hashing overlap.
    @discardableResult
    private func walk(
        _ checker: inout VerifyState, after start: Int64 = 0, pageSize: Int, progress: (@Sendable (Int64) -> Void)?,
        read: @escaping @Sendable (Int64, Int) async throws -> [EnvelopeColumns]
    ) async throws -> Int64 {
        var walked = start
        var page = try await read(start, pageSize)
        while let last = page.last {
            async let following = read(last.position, pageSize)
            // Each row's own check (canonical texts that hash to its hash) needs no other row,
            // so it is spread over the cores; the chain and the digest then run in order.
            let hashedAsStored = try page.parallelMap(minimumChunk: 256) { $0.hashesAsStored }
            // By index: iterating the rows would copy each (a retain of every text).
            for i in page.indices { checker.check(page[i], hashesAsStored: hashedAsStored[i]) }
            progress?(checker.events)
            walked = last.position
            page = try await following
        }
        return walked
    }
}
