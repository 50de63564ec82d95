import ApexDomain
import ApexStore
import Foundation
import Testing

/// Numbers for the docs, not run by default (set `APEX_MEASURE_CONSUMERS=1`): the time a
/// runner takes to catch up with 20,000 events, and the latency from an append's call to the
/// consumer handling the event once caught up (p50, p99), printed. They still check that every
/// event was handled.
@Suite("Consumer measurements", .enabled(if: ProcessInfo.processInfo.environment["APEX_MEASURE_CONSUMERS"] == "1"))
struct ConsumerMeasureTests {
    @Test(arguments: StoreKind.sql)
    func catchUpAndLiveLatency(kind: StoreKind) async throws {
        try await Fixtures.withStore(kind) { f in
            try await ConsumerRunnerTests.append(f.store, 20_000)
            let catching = RecordingConsumer("catch-up")
            var options = ConsumerRunner.Options()
            options.idleWait = .seconds(5)
            let started = ContinuousClock.now
            let reached = try await ConsumerRunner(catching, store: f.store, options: options, logger: Fixtures.logger).catchUp()
            let catchUp = ContinuousClock.now - started
            #expect(reached == 20_000 && catching.positions.count == 20_000)

            let live = RecordingConsumer("live")
            #expect(try await f.store.advanceConsumer("live", to: 20_000, from: 0))
            let running = Task { await ConsumerRunner(live, store: f.store, options: options, logger: Fixtures.logger).run() }
            try await Task.sleep(for: .milliseconds(500))
            var calls: [Int64: ContinuousClock.Instant] = [:]
            var appendTimes: [Duration] = []
            for i in 0..<200 {
                let t0 = ContinuousClock.now
                let result = try await f.store.append([Events.note("live \(i)")], to: StreamID(rawValue: "test-live-\(i)"), expected: .noStream)
                appendTimes.append(ContinuousClock.now - t0)
                calls[result.lastPosition] = t0
                try await Task.sleep(for: .milliseconds(10))
            }
            #expect(try await eventually { live.positions.count == 200 })
            running.cancel()
            await running.value
            let times = live.times
            let latencies = calls.compactMap { p, t0 in times[p].map { $0 - t0 } }.sorted()
            #expect(latencies.count == 200)
            let ms = { (d: Duration) in Double(d.components.seconds) * 1000 + Double(d.components.attoseconds) / 1e15 }
            print(
                "CONSUMER MEASURE \(kind): catch-up 20000 events \(String(format: "%.2f", ms(catchUp) / 1000)) s; "
                    + "append call → handled p50 \(String(format: "%.2f", ms(latencies[100]))) ms, p99 \(String(format: "%.2f", ms(latencies[197]))) ms; "
                    + "append alone p50 \(String(format: "%.2f", ms(appendTimes.sorted()[100]))) ms")
        }
    }
}
