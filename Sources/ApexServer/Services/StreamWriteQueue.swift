import ApexDomain
import Foundation

/// Serialises the API's writes to one stream (a project or an account) within this process: a
/// write waits for the one before it on the same stream, first come first served, so writes from
/// many clients of one instance queue instead of racing to the same version and retrying. Only a
/// writer in another process, an event appended at any version (an access denial, a retention
/// run) or a stale `If-Match` can still conflict.
///
/// Holds an entry only for a stream that is being written: it is removed when the last waiter
/// is done, so memory is bounded by the writes in flight.
actor StreamWriteQueue {
    private var waiting: [StreamID: [CheckedContinuation<Void, Never>]] = [:]

    /// Runs `body` when no other write to `id` in this process is running.
    nonisolated func serialized<T: Sendable>(_ id: StreamID, _ body: () async throws -> T) async throws -> T {
        await acquire(id)
        do {
            let value = try await body()
            await release(id)
            return value
        } catch {
            await release(id)
            throw error
        }
    }

    private func acquire(_ id: StreamID) async {
        guard waiting[id] != nil else {
            waiting[id] = []
            return
        }
        await withCheckedContinuation { waiting[id]!.append($0) }
    }

    /// Hands the stream to the next waiter, or forgets it when none waits.
    private func release(_ id: StreamID) {
        guard var queue = waiting[id], !queue.isEmpty else {
            waiting[id] = nil
            return
        }
        let next = queue.removeFirst()
        waiting[id] = queue
        next.resume()
    }

    /// The streams with a write running (for tests).
    var busy: Int { waiting.count }
}
