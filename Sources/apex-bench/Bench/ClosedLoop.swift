/// One worker of a closed-loop load: each ``step()`` is one operation, timed as one latency
/// sample; it returns how many events the operation wrote or read.
protocol LoadWorker: Sendable {
    mutating func step() async throws -> Int
}

/// What one side (Apex or raw) of a scenario did.
struct Tally: Sendable {
    var operations = 0
    var events = 0
    var elapsed: Duration = .zero
    var latency = LatencyRecorder()

    var eventsPerSecond: Double { elapsed > .zero ? Double(events) / elapsed.seconds : 0 }

    mutating func add(_ other: Tally) {
        operations += other.operations
        events += other.events
        elapsed += other.elapsed
        latency.merge(other.latency)
    }
}

/// Runs `workers` workers back to back for `duration`, each waiting for its own operation to
/// finish before starting the next (closed loop).
enum ClosedLoop {
    static func run<W: LoadWorker>(
        workers: Int, duration: Duration, make: @escaping @Sendable (Int) throws -> W
    ) async throws -> Tally {
        let clock = ContinuousClock()
        let start = clock.now
        let deadline = start + duration
        let parts = try await withThrowingTaskGroup(of: Tally.self) { group in
            for w in 0..<workers {
                group.addTask {
                    var worker = try make(w)
                    var tally = Tally()
                    while clock.now < deadline {
                        let t0 = clock.now
                        tally.events += try await worker.step()
                        tally.latency.record(clock.now - t0)
                        tally.operations += 1
                    }
                    return tally
                }
            }
            var all: [Tally] = []
            for try await part in group { all.append(part) }
            return all
        }
        var total = Tally()
        for part in parts {
            total.operations += part.operations
            total.events += part.events
            total.latency.merge(part.latency)
        }
        total.elapsed = clock.now - start
        return total
    }

    /// Runs `body` repeatedly (at least once) until `minimum` has passed or `maxPasses` ran;
    /// each pass is one latency sample.
    static func passes(
        minimum: Duration, maxPasses: Int, _ body: () async throws -> Int
    ) async throws -> Tally {
        let clock = ContinuousClock()
        let start = clock.now
        var tally = Tally()
        repeat {
            let t0 = clock.now
            tally.events += try await body()
            tally.latency.record(clock.now - t0)
            tally.operations += 1
        } while clock.now - start < minimum && tally.operations < maxPasses
        tally.elapsed = clock.now - start
        return tally
    }
}
