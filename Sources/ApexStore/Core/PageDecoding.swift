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
        guard mode == .opened else {
            // Nothing to open: each row is checked and made an envelope at once (a page of
            // 512 rows or more on all the cores).
            return try rows.parallelMap(minimumChunk: 256, storedEnvelope)
        }
        let chunks = try await rows.concurrentChunks { chunk -> (checked: [Checked], subjects: PersonalSubjects) in
            var subjects = PersonalSubjects()
            // By index, as below: `map` would copy each row.
            let checked = try chunk.indices.map { i -> Checked in
                if chunk[i].jsonIsCanonical(collectingSubjects: &subjects) { return .canonical }
                let envelope = try chunk[i].envelope()
                Sealer.subjects(of: envelope).forEach { subjects.insert($0) }
                return .decoded(envelope)
            }
            return (checked, subjects)
        }
        let checked = chunks.flatMap(\.checked)
        let subjects = chunks.reduce(into: PersonalSubjects()) { $0.formUnion($1.subjects) }.all
        let open = subjects.isEmpty ? nil : Sealer.opener(keys: try await keys(subjects))
        // By index, so that no row is copied (a copy retains each of its texts).
        return try rows.indices.map { i in
            switch checked[i] {
            case .canonical: try rows[i].deferredEnvelope(open: open)
            case .decoded(let envelope): open.map { envelope.opening($0) } ?? envelope
            }
        }
    }

    /// The envelope of a row read as stored: decoded on first access when its JSON is
    /// canonical, otherwise now.
    static func storedEnvelope(_ row: EnvelopeColumns) throws -> EventEnvelope {
        try row.jsonIsCanonical ? row.deferredEnvelope(open: nil) : row.envelope()
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
