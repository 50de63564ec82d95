import ApexDomain
import Crypto
import Foundation

/// Turning a page of stored rows into envelopes. A row whose JSON columns are canonical (as
/// both SQL adapters write them) becomes an envelope that decodes, and opens, those columns on
/// first access; for an opened read the check that they are canonical also collects the
/// subjects of their personal values, so the page's keys are fetched once. Other rows are
/// decoded now. Checking a large page is split over the machine's cores; order is kept.
enum PageDecoding {
    /// The envelopes `rows` hold; opened with the keys `keys` fetches for their subjects when
    /// `mode` is ``ReadMode/opened``.
    static func envelopes(
        _ rows: [EnvelopeColumns], mode: ReadMode, keys: (Set<String>) async throws -> [String: SymmetricKey]
    ) async throws -> [EventEnvelope] {
        let opened = mode == .opened
        let chunks = try await rows.concurrentChunks { chunk -> (checked: [Checked], subjects: PersonalSubjects) in
            var subjects = PersonalSubjects()
            let checked = try chunk.map { row -> Checked in
                if opened ? row.jsonIsCanonical(collectingSubjects: &subjects) : row.jsonIsCanonical { return .canonical }
                let envelope = try row.envelope()
                if opened { Sealer.subjects(of: envelope).forEach { subjects.insert($0) } }
                return .decoded(envelope)
            }
            return (checked, subjects)
        }
        let checked = chunks.flatMap(\.checked)
        let subjects = chunks.reduce(into: PersonalSubjects()) { $0.formUnion($1.subjects) }.all
        let open = opened && !subjects.isEmpty ? Sealer.opener(keys: try await keys(subjects)) : nil
        // By index, so that no row is copied (a copy retains each of its texts).
        return try rows.indices.map { i in
            switch checked[i] {
            case .canonical: try rows[i].deferredEnvelope(open: open)
            case .decoded(let envelope): open.map { envelope.opening($0) } ?? envelope
            }
        }
    }

    /// A row checked: canonical (decoded on first access), or decoded now.
    private enum Checked: Sendable {
        case canonical
        case decoded(EventEnvelope)
    }

    /// The envelopes with their personal values opened (or erased, where a key is gone).
    static func open(
        _ events: [EventEnvelope], keys: (Set<String>) async throws -> [String: SymmetricKey]
    ) async throws -> [EventEnvelope] {
        let subjects = AppendPlanner.subjects(of: events)
        guard !subjects.isEmpty else { return events }
        let keys = try await keys(subjects)
        return try await events.concurrentMap { Sealer.open($0, keys: keys) }
    }
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
        let cores = ProcessInfo.processInfo.activeProcessorCount
        guard cores > 1, count >= 2 * minimumChunk else { return [try body(self[...])] }
        let chunk = Swift.max(minimumChunk, (count + cores - 1) / cores)
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
}
