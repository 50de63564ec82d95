import Synchronization

/// Wakes in-process waiters when the store's head moves (SQLite and memory adapters).
package final class AppendSignal: Sendable {
    private struct State {
        var head: Int64 = 0
        var waiters: [Int: (after: Int64, continuation: CheckedContinuation<Void, Never>)] = [:]
        var nextID = 0
    }
    private let state = Mutex(State())

    package init() {}

    /// Records a new head and wakes everyone waiting below it.
    package func signal(head: Int64) {
        let woken = state.withLock { s -> [CheckedContinuation<Void, Never>] in
            s.head = max(s.head, head)
            let ready = s.waiters.filter { $0.value.after < s.head }
            for id in ready.keys { s.waiters[id] = nil }
            return ready.values.map(\.continuation)
        }
        for c in woken { c.resume() }
    }

    /// Returns when the head passes `position`, after `timeout`, or when cancelled.
    package func wait(after position: Int64, timeout: Duration) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { try? await Task.sleep(for: timeout) }
            group.addTask { await self.waitForSignal(after: position) }
            await group.next()
            group.cancelAll()
        }
    }

    private func waitForSignal(after position: Int64) async {
        let id = state.withLock { s -> Int in
            s.nextID += 1
            return s.nextID
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { s -> Bool in
                    if s.head > position || Task.isCancelled { return true }
                    s.waiters[id] = (position, c)
                    return false
                }
                if resumeNow { c.resume() }
            }
        } onCancel: {
            let c = state.withLock { s in s.waiters.removeValue(forKey: id)?.continuation }
            c?.resume()
        }
    }
}
