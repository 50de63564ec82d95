public import ApexDomain

extension EventStore {
    /// Folds a stream into a state, page by page, with the next two pages already being read
    /// (and decoded) while one is folded: on a long stream, reading rows, decoding them and
    /// folding them run at once, and only three pages are in memory at a time.
    ///
    /// `fold` gets the events from `version` through `last` (the stream's end by default) in
    /// pages in version order, each once. Pages are read one query each, so an event appended
    /// during the fold may or may not be folded; the fold ends with the first page that is not
    /// full. A page that does not start at the version after the one before it, or has a gap,
    /// means rows were deleted behind the store's back: the fold throws
    /// ``EventStoreError/Code/integrityFailure``. An error thrown by `fold`, or by the read of a
    /// page the fold needs, ends the fold (the reads still running are cancelled) and is
    /// rethrown; a read ahead of the stream's end that fails is not needed and not reported.
    ///
    /// ```swift
    /// let state = try await store.foldStream(.project(id), into: ProjectState()) { state, page in
    ///     try state.apply(contentsOf: page)
    /// }
    /// ```
    public func foldStream<State>(
        _ stream: StreamID, from version: Int64 = 1, through last: Int64 = .max, into initial: State, pageSize: Int = 500,
        mode: ReadMode = .stored, _ fold: (inout State, [EventEnvelope]) throws -> Void
    ) async throws -> State {
        precondition(pageSize > 0, "a fold reads pages of at least one event")
        let first = max(version, 1)
        var state = initial
        // Versions have no gaps, so page `index` starts `index` pages after the first; nil past `last`.
        func page(_ index: Int) -> (from: Int64, limit: Int)? {
            let (offset, overflow) = Int64(pageSize).multipliedReportingOverflow(by: Int64(index))
            let (from, past) = first.addingReportingOverflow(offset)
            guard !overflow, !past, from <= last else { return nil }
            return (from, Int(clamping: min(Int64(pageSize), last - from + 1)))
        }
        try await withThrowingTaskGroup(of: PageRead.self) { reads in
            var requested = 0
            var arrived: [Int: PageRead] = [:]
            var folded = 0
            while true {
                // Keep the page being folded and the two after it read or being read.
                while requested < folded + 3 {
                    let index = requested
                    requested += 1
                    guard let (from, limit) = page(index) else { break }
                    reads.addTask { await PageRead.reading(index) { try await readStream(stream, from: from, limit: limit, mode: mode) } }
                }
                guard let read = try await reads.next() else { return }
                arrived[read.index] = read
                while let result = arrived.removeValue(forKey: folded) {
                    let events = try result.get()
                    let from = page(folded)!.from
                    folded += 1
                    if let head = events.first, head.version != from || events.last!.version != from + Int64(events.count) - 1 {
                        throw EventStoreError(
                            .integrityFailure,
                            "stream \(stream.rawValue): a page from version \(from) holds versions \(head.version)…\(events.last!.version): events are missing")
                    }
                    if !events.isEmpty { try fold(&state, events) }
                    guard events.count == pageSize, events.last!.version < last else {
                        reads.cancelAll()
                        return
                    }
                }
            }
        }
        return state
    }
}
