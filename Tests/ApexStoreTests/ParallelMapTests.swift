@testable import ApexStore
import Synchronization
import Testing

/// `parallelMap` spreads CPU-bound work in synchronous code (sealing an append's batch) over
/// the cores: it must equal `map`, in order, and fail as `map` would.
@Suite("Parallel map")
struct ParallelMapTests {
    struct Odd: Error, Equatable { let value: Int }

    @Test(arguments: [0, 1, 31, 32, 33, 100, 1_001])
    func equalsMapInOrder(count: Int) throws {
        let values = Array(0..<count)
        #expect(try values.parallelMap { $0 * 3 + 1 } == values.map { $0 * 3 + 1 })
        #expect(try values.parallelMap(minimumChunk: 1) { String($0) } == values.map { String($0) })
    }

    @Test func rethrowsAnError() {
        let values = Array(0..<500)
        #expect(throws: Odd.self) {
            _ = try values.parallelMap { v in
                if v == 377 { throw Odd(value: v) }
                return v
            }
        }
    }

    /// A result, counted as it is made and released.
    final class Token: Sendable {
        static let live = Mutex(0)
        init() { Self.live.withLock { $0 += 1 } }
        deinit { Self.live.withLock { $0 -= 1 } }
    }

    /// Four chunks of 125, whatever this machine's core count: chunk 0 fails at its last
    /// element, chunk 1 at its first, so the error that comes first in time is most likely
    /// chunk 1's; the one rethrown must be chunk 0's.
    @Test func theFirstChunksErrorIsRethrownAndEveryResultMadeIsReleased() {
        let values = Array(0..<500)
        #expect(throws: Odd(value: 124)) {
            _ = try values.parallelMap(processors: 4) { v in
                if v == 124 || v == 125 || v == 499 { throw Odd(value: v) }
                return Token()
            }
        }
        #expect(Token.live.withLock { $0 } == 0)
        let tokens = try? values.parallelMap(processors: 4) { _ in Token() }
        #expect(tokens?.count == 500)
        #expect(Token.live.withLock { $0 } == 500)
    }

    @Test(arguments: [1, 2, 3, 8])
    func equalsMapOnAnyNumberOfProcessors(processors: Int) throws {
        let values = (0..<777).map { "v\($0)" }
        #expect(try values.parallelMap(processors: processors) { $0 + "!" } == values.map { $0 + "!" })
    }
}
