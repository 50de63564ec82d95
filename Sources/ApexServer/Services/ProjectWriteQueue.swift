import Foundation

/// Serialises the writes to one project within this process: a write waits for the one before
/// it on the same project, first come first served, so writes from many clients of one instance
/// queue instead of racing to the same version and retrying. Only a writer in another process
/// (or a stale `If-Match`) can still conflict.
///
/// Holds an entry only for a project that is being written: it is removed when the last waiter
/// is done, so memory is bounded by the writes in flight.
actor ProjectWriteQueue {
    private var waiting: [UUID: [CheckedContinuation<Void, Never>]] = [:]

    /// Runs `body` when no other write to `id` in this process is running.
    nonisolated func serialized<T: Sendable>(_ id: UUID, _ body: () async throws -> T) async throws -> T {
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

    private func acquire(_ id: UUID) async {
        guard waiting[id] != nil else {
            waiting[id] = []
            return
        }
        await withCheckedContinuation { waiting[id]!.append($0) }
    }

    /// Hands the project to the next waiter, or forgets it when none waits.
    private func release(_ id: UUID) {
        guard var queue = waiting[id], !queue.isEmpty else {
            waiting[id] = nil
            return
        }
        let next = queue.removeFirst()
        waiting[id] = queue
        next.resume()
    }

    /// The projects with a write running (for tests).
    var busy: Int { waiting.count }
}
