import Synchronization

/// Group commit: appends that arrive while a transaction is committing wait for it, then share
/// the next transaction — one durable flush (and, on PostgreSQL, one lock hold) for all of them.
///
/// No background task: the caller that finds the store idle commits its own append at once (a
/// lone writer waits for nobody); callers arriving meanwhile queue, and when a transaction
/// ends its caller hands the queue's front, up to ``maxRequests``, to the first of them, who
/// commits them together. `commit` returns one result per request, in order, so a conflict in
/// one append fails only that append; when the transaction as a whole fails, each request is
/// retried in a transaction of its own, so one bad request cannot fail its neighbours.
package final class GroupCommit<Request: Sendable, Response: Sendable>: Sendable {
    /// Runs one transaction for `requests`, returning one result per request.
    package typealias Commit = @Sendable ([Request]) async throws -> [Result<Response, any Error>]

    private struct Waiter: Sendable {
        let request: Request
        let continuation: CheckedContinuation<Signal, Never>
    }

    private enum Signal: Sendable {
        case done(Result<Response, any Error>)
        case lead([Waiter])
    }

    private struct State: Sendable {
        var queue: [Waiter] = []
        var busy = false
    }

    /// The most requests one transaction takes.
    package let maxRequests: Int
    private let commit: Commit
    private let state = Mutex(State())

    /// A group commit running `commit` for each transaction.
    package init(maxRequests: Int = 64, commit: @escaping Commit) {
        self.maxRequests = maxRequests
        self.commit = commit
    }

    /// Commits `request`, alone or with others, and returns its result.
    package func submit(_ request: Request) async throws -> Response {
        // An idle store: lead at once, without suspending (a suspension is a thread hop).
        let idle = state.withLock { state in
            guard !state.busy else { return false }
            state.busy = true
            return true
        }
        if idle { return try await lead(request, others: []) }
        let signal: Signal = await withCheckedContinuation { continuation in
            let leads = state.withLock { state in
                if state.busy {
                    state.queue.append(Waiter(request: request, continuation: continuation))
                    return false
                }
                state.busy = true
                return true
            }
            if leads { continuation.resume(returning: .lead([])) }
        }
        switch signal {
        case .done(let result): return try result.get()
        case .lead(let others): return try await lead(request, others: others)
        }
    }

    /// Commits `request` with `others`, answers them, and hands the queue on.
    private func lead(_ request: Request, others: [Waiter]) async throws -> Response {
        let results = await run([request] + others.map(\.request))
        for (waiter, result) in zip(others, results.dropFirst()) { waiter.continuation.resume(returning: .done(result)) }
        handOver()
        return try results[0].get()
    }

    /// One transaction for `requests`; when it fails as a whole and holds several, one each.
    ///
    /// A shared transaction runs in a task of its own, so that the leader's cancellation (a
    /// client hanging up) cannot abort other callers' appends; a lone request runs in its
    /// caller's task (one thread hop fewer for a single writer).
    private func run(_ requests: [Request]) async -> [Result<Response, any Error>] {
        guard requests.count > 1 else { return await transact(requests) }
        return await Task { await self.transact(requests) }.value
    }

    private func transact(_ requests: [Request]) async -> [Result<Response, any Error>] {
        do {
            let results = try await commit(requests)
            precondition(results.count == requests.count, "a group commit must answer every request")
            return results
        } catch {
            guard requests.count > 1 else { return [.failure(error)] }
            var results: [Result<Response, any Error>] = []
            for request in requests {
                do { results.append(try await commit([request])[0]) } catch { results.append(.failure(error)) }
            }
            return results
        }
    }

    /// Passes the queue's front to its first waiter, or marks the store idle.
    private func handOver() {
        let next: (Waiter, [Waiter])? = state.withLock { state in
            guard !state.queue.isEmpty else {
                state.busy = false
                return nil
            }
            let batch = state.queue.prefix(maxRequests)
            state.queue.removeFirst(batch.count)
            return (batch.first!, Array(batch.dropFirst()))
        }
        if let (leader, others) = next { leader.continuation.resume(returning: .lead(others)) }
    }
}
