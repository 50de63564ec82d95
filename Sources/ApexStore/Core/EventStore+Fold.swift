public import ApexDomain

extension EventStore {
    /// Folds a stream into a state, page by page, with the next two pages already being read
    /// (and decoded) while one is folded: on a long stream, reading rows, decoding them and
    /// folding them run at once, and only three pages are in memory at a time.
    ///
    /// `fold` gets the pages in version order, each once, each continuing the one before it.
    /// Pages are read one query each, so an event appended during the fold may or may not be
    /// folded; the fold ends with the first page that is not full. An error thrown by `fold` or
    /// by a read ends the fold (the reads still running are cancelled) and is rethrown.
    ///
    /// ```swift
    /// let state = try await store.foldStream(.project(id), into: ProjectState()) { state, page in
    ///     try state.apply(contentsOf: page)
    /// }
    /// ```
    public func foldStream<State>(
        _ stream: StreamID, from version: Int64 = 1, into initial: State, pageSize: Int = 500, mode: ReadMode = .stored,
        _ fold: (inout State, [EventEnvelope]) throws -> Void
    ) async throws -> State {
        precondition(version >= 1 && pageSize > 0, "a fold starts at a version of at least 1 and reads pages of at least one event")
        var state = initial
        try await withThrowingTaskGroup(of: (index: Int, page: [EventEnvelope]).self) { reads in
            var requested = 0
            func readNext() {
                let index = requested
                // Versions have no gaps, so page `index` starts `index` pages after `version`.
                let (offset, overflow) = Int64(clamping: pageSize).multipliedReportingOverflow(by: Int64(index))
                let start = overflow ? Int64.max : version.addingReportingOverflow(offset).overflow ? Int64.max : version + offset
                reads.addTask { (index, try await readStream(stream, from: start, limit: pageSize, mode: mode)) }
                requested += 1
            }
            readNext()
            readNext()
            var arrived: [Int: [EventEnvelope]] = [:]
            var folded = 0
            while let read = try await reads.next() {
                arrived[read.index] = read.page
                while let page = arrived.removeValue(forKey: folded) {
                    folded += 1
                    guard page.count == pageSize else {
                        reads.cancelAll()
                        if !page.isEmpty { try fold(&state, page) }
                        return
                    }
                    readNext()
                    try fold(&state, page)
                }
            }
        }
        return state
    }
}
