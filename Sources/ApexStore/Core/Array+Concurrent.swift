import Dispatch
import Foundation
import Synchronization

/// The processors this process may run on, asked once: Foundation reads them from the
/// system on every call (14 µs on Linux), which a page read or an append cannot afford.
enum ActiveProcessors {
    static let count = ProcessInfo.processInfo.activeProcessorCount
}

extension Array where Element: Sendable {
    /// `map(transform)`, in chunks of at least `minimumChunk` elements spread over the active
    /// processors; a short array is mapped in place. The result keeps the array's order.
    func concurrentMap<T: Sendable>(
        minimumChunk: Int = 256, _ transform: @escaping @Sendable (Element) throws -> T
    ) async throws -> [T] {
        try await concurrentChunks(minimumChunk: minimumChunk) { try $0.map(transform) }.flatMap { $0 }
    }

    /// `body` applied to consecutive chunks of at least `minimumChunk` elements, spread over
    /// the active processors (one chunk, in place, for a short array); results in order.
    func concurrentChunks<T: Sendable>(
        minimumChunk: Int = 256, _ body: @escaping @Sendable (ArraySlice<Element>) throws -> T
    ) async throws -> [T] {
        guard let chunk = chunkLength(minimum: minimumChunk) else { return [try body(self[...])] }
        return try await withThrowingTaskGroup(of: (Int, T).self) { group in
            for start in stride(from: 0, to: count, by: chunk) {
                let slice = self[start..<Swift.min(count, start + chunk)]
                group.addTask { (start, try body(slice)) }
            }
            var parts: [(start: Int, value: T)] = []
            for try await part in group { parts.append(part) }
            return parts.sorted { $0.start < $1.start }.map(\.value)
        }
    }

    /// `map(transform)` for CPU-bound work that must not suspend (inside a transaction, or a
    /// page being decoded): chunks of at least `minimumChunk` elements run on `processors`
    /// threads at once, the calling thread taking one and blocking until all are done (called
    /// from async code, it holds a thread of the cooperative pool); a short array is mapped
    /// here. Each chunk writes its results in place in the result, and `transform` borrows
    /// each element, so nothing is copied. The result keeps the array's order; when chunks
    /// throw, the error of the first of them in the array is rethrown and every result already
    /// made is released.
    func parallelMap<T: Sendable>(
        minimumChunk: Int = 16, processors: Int = ActiveProcessors.count, _ transform: @Sendable (Element) throws -> T
    ) throws -> [T] {
        guard let chunk = chunkLength(minimum: minimumChunk, processors: processors) else { return try map(transform) }
        let chunks = (count + chunk - 1) / chunk
        // Per chunk: how many results it made, and the error that stopped it.
        let outcomes = Mutex([(made: Int, error: (any Error)?)](repeating: (0, nil), count: chunks))
        return try withoutActuallyEscaping(transform) { transform in
            try withUnsafeBufferPointer { input in
                try [T](unsafeUninitializedCapacity: count) { output, initialized in
                    nonisolated(unsafe) let (input, output) = (input, output)
                    DispatchQueue.concurrentPerform(iterations: chunks) { c in
                        var made = 0
                        var failure: (any Error)?
                        do {
                            for i in c * chunk..<Swift.min(input.count, (c + 1) * chunk) {
                                (output.baseAddress! + i).initialize(to: try transform(input[i]))
                                made += 1
                            }
                        } catch { failure = error }
                        outcomes.withLock { $0[c] = (made, failure) }
                    }
                    let results = outcomes.withLock { $0 }
                    guard let error = results.lazy.compactMap(\.error).first else {
                        initialized = input.count
                        return
                    }
                    for (c, result) in results.enumerated() { (output.baseAddress! + c * chunk).deinitialize(count: result.made) }
                    throw error
                }
            }
        }
    }

    /// The length of the chunks that spread this array over `cores` processors, at least
    /// `minimum`; nil when there is one processor or fewer than two chunks' worth of elements.
    private func chunkLength(minimum: Int, processors cores: Int = ActiveProcessors.count) -> Int? {
        guard cores > 1, count >= 2 * minimum else { return nil }
        return Swift.max(minimum, (count + cores - 1) / cores)
    }
}
