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

    @Test func theFirstChunksErrorIsRethrownAndEveryResultMadeIsReleased() {
        let values = Array(0..<500)
        #expect(throws: Odd(value: 100)) {
            _ = try values.parallelMap { v in
                if v == 100 || v == 400 { throw Odd(value: v) }
                return Token()
            }
        }
        #expect(Token.live.withLock { $0 } == 0)
        let tokens = try? values.parallelMap { _ in Token() }
        #expect(tokens?.count == 500)
        #expect(Token.live.withLock { $0 } == 500)
    }
}
