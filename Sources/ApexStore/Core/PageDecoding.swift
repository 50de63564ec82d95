import ApexDomain
import Crypto
import Foundation

/// Turning a page of stored rows into envelopes. A row whose JSON columns are canonical (as
/// both SQL adapters write them) becomes an envelope that decodes, and opens, those columns on
/// first access; for an opened read the check that they are canonical also collects the
/// subjects of their personal values, so the page's keys are fetched once. Other rows are decoded now. Checking a large page is split
/// over the machine's cores; order is kept.
enum PageDecoding {
    /// The envelopes `rows` hold; opened with the keys `keys` fetches for their subjects when
    /// `mode` is ``ReadMode/opened``.
    static func envelopes(
        _ rows: [EnvelopeColumns], mode: ReadMode, keys: (Set<String>) async throws -> [String: SymmetricKey]
    ) async throws -> [EventEnvelope] {
        let opened = mode == .opened
        let checked = try await rows.concurrentMap { row -> Checked in
            var subjects = Set<String>()
            if opened ? row.jsonIsCanonical(collectingSubjects: &subjects) : row.jsonIsCanonical { return .canonical(subjects) }
            let envelope = try row.envelope()
            return .decoded(envelope, opened ? Sealer.subjects(of: envelope) : [])
        }
        let subjects = checked.reduce(into: Set<String>()) { $0.formUnion($1.subjects) }
        let open = opened && !subjects.isEmpty ? Sealer.opener(keys: try await keys(subjects)) : nil
        // By index, so that no row is copied (a copy retains each of its texts).
        return try rows.indices.map { i in
            switch checked[i] {
            case .canonical: try rows[i].deferredEnvelope(open: open)
            case .decoded(let envelope, _): open.map { envelope.opening($0) } ?? envelope
            }
        }
    }

    /// A row checked: canonical (decoded on first access), or decoded now; with the subjects
    /// whose keys an opened read needs.
    private enum Checked: Sendable {
        case canonical(Set<String>)
        case decoded(EventEnvelope, Set<String>)

        var subjects: Set<String> {
            switch self {
            case .canonical(let subjects), .decoded(_, let subjects): subjects
            }
        }
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
        let cores = ProcessInfo.processInfo.activeProcessorCount
        guard cores > 1, count >= 2 * minimumChunk else { return try map(transform) }
        let chunk = Swift.max(minimumChunk, (count + cores - 1) / cores)
        return try await withThrowingTaskGroup(of: (Int, [T]).self) { group in
            for start in stride(from: 0, to: count, by: chunk) {
                let slice = self[start..<Swift.min(count, start + chunk)]
                group.addTask { (start, try slice.map(transform)) }
            }
            var parts: [(start: Int, values: [T])] = []
            for try await part in group { parts.append(part) }
            var result: [T] = []
            result.reserveCapacity(count)
            for part in parts.sorted(by: { $0.start < $1.start }) { result += part.values }
            return result
        }
    }
}
