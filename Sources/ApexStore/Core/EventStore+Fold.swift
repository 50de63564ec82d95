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
        try await withThrowingTaskGroup(of: (index: Int, page: Result<[EventEnvelope], any Error>).self) { reads in
            var requested = 0
            // Versions have no gaps, so page `index` starts `index` pages after the first.
            func start(_ index: Int) -> Int64 {
                let (offset, overflow) = Int64(pageSize).multipliedReportingOverflow(by: Int64(index))
                let (start, past) = first.addingReportingOverflow(offset)
                return overflow || past ? .max : start
            }
            func readNext() {
                let index = requested
                requested += 1
                let from = start(index)
                guard from <= last else { return }
                let limit = Int(clamping: min(Int64(pageSize), last - from + 1))
                reads.addTask {
                    do { return (index, .success(try await readStream(stream, from: from, limit: limit, mode: mode))) } catch { return (index, .failure(error)) }
                }
            }
            for _ in 0..<3 { readNext() }
            var arrived: [Int: Result<[EventEnvelope], any Error>] = [:]
            var folded = 0
            while let read = try await reads.next() {
                arrived[read.index] = read.page
                while let result = arrived.removeValue(forKey: folded) {
                    let page = try result.get()
                    let from = start(folded)
                    folded += 1
                    if let head = page.first, head.version != from || page.last!.version != from + Int64(page.count) - 1 {
                        throw EventStoreError(
                            .integrityFailure,
                            "stream \(stream.rawValue): a page from version \(from) holds versions \(head.version)…\(page.last!.version): events are missing")
                    }
                    let full = page.count == pageSize && page.last!.version < last
                    if full { readNext() } else { reads.cancelAll() }
                    if !page.isEmpty { try fold(&state, page) }
                    guard full else { return }
                }
            }
        }
        return state
    }
}
