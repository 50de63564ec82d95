import ApexDomain
import ApexStore
import Foundation
import Synchronization

/// A consumer for runner tests: records the positions it handled, in order, and how often it
/// was asked to prepare a replay; it can be made to fail once at a position (after handling
/// the events before it, as a crash halfway through a batch would), and then notes the last
/// error the store recorded for it when the batch comes again.
final class RecordingConsumer: LogConsumer {
    let name: String
    let readMode: ReadMode
    private let store: (any EventStore)?
    private let handled = Mutex<[Int64]>([])
    private let handledAt = Mutex<[Int64: ContinuousClock.Instant]>([:])
    private let replays = Atomic<Int>(0)
    private let failures = Mutex<Set<Int64>>([])
    private let retrying = Atomic<Bool>(false)
    private let errorsSeen = Mutex<[String?]>([])
    private let pagesHandled = Mutex<[[Int64]]>([])

    init(_ name: String = "recorder", readMode: ReadMode = .stored, store: (any EventStore)? = nil, failOnceAt: Set<Int64> = []) {
        self.name = name
        self.readMode = readMode
        self.store = store
        failures.withLock { $0 = failOnceAt }
    }

    /// The positions handled, in the order handled (repeats included).
    var positions: [Int64] { handled.withLock { $0 } }
    /// When each position was last handled.
    var times: [Int64: ContinuousClock.Instant] { handledAt.withLock { $0 } }
    /// How many times ``prepareForReplay()`` was called.
    var replayCount: Int { replays.load(ordering: .relaxed) }
    /// The consumer's last error as the store listed it at each retry.
    var errors: [String?] { errorsSeen.withLock { $0 } }
    /// The positions of each page handled whole, in the order handled.
    var pages: [[Int64]] { pagesHandled.withLock { $0 } }

    func handle(_ events: [EventEnvelope]) async throws {
        precondition(!events.isEmpty)
        if retrying.exchange(false, ordering: .relaxed), let store {
            let error = try await store.consumerPositions().first { $0.name == name }?.lastError
            errorsSeen.withLock { $0.append(error) }
        }
        let now = ContinuousClock.now
        for event in events {
            if failures.withLock({ $0.remove(event.position) }) != nil {
                retrying.store(true, ordering: .relaxed)
                throw Failure(position: event.position)
            }
            handled.withLock { $0.append(event.position) }
            handledAt.withLock { $0[event.position] = now }
        }
        pagesHandled.withLock { $0.append(events.map(\.position)) }
    }

    func prepareForReplay() async throws { replays.add(1, ordering: .relaxed) }

    /// The failure thrown at a position.
    struct Failure: Error, CustomStringConvertible {
        let position: Int64
        var description: String { "probe failure at position \(position)" }
    }
}

/// Waits until `condition` holds, checking every 20 ms, for at most `timeout`; false if it never did.
func eventually(timeout: Duration = .seconds(30), _ condition: () async throws -> Bool) async rethrows -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try? await Task.sleep(for: .milliseconds(20))
    }
    return try await condition()
}
