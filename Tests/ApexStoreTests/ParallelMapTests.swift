@testable import ApexStore
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
}
