import ApexDomain
import Foundation
import Synchronization

extension PostgresEventStore {
    /// One read-model document: a projection's (partition, key).
    struct DocumentKey: Hashable, Sendable {
        var projection: String
        var partition: String
        var key: String
    }

    /// The read models a batch changes, folded on the two-statement path: possible when every
    /// document each request's events change is owned by the request's stream
    /// (``DocumentOwnership/owned(partition:key:)``), so the stream heads the write checks
    /// also prove the documents it read unchanged.
    struct ReadModelFold {
        /// The projections folded.
        let projections: [any Projection]
        /// Every document the batch may change, read with the batch's context.
        let targets: [DocumentKey]

        /// Nil when some request's events may change a document other streams change too.
        init?(_ requests: [AppendRequest], projections: [any Projection]) {
            var targets: Set<DocumentKey> = []
            for projection in projections {
                for request in requests {
                    for account in Set(request.events.map(\.accountID)) {
                        switch projection.ownership(of: request.stream, account: account) {
                        case .none: continue
                        case .owned(let partition, let key): targets.insert(DocumentKey(projection: projection.name, partition: partition, key: key))
                        case .shared: return nil
                        }
                    }
                }
            }
            self.projections = projections
            self.targets = Array(targets)
        }

        /// The documents after `events`, from the documents as read (absent ones are new):
        /// each changed document and its new content, nil to delete it.
        func fold(_ events: [EventEnvelope], documents read: [DocumentKey: JSONValue]) throws -> [(key: DocumentKey, document: JSONValue?)] {
            var documents: [DocumentKey: JSONValue?] = [:]
            try ProjectionApplier.apply(
                events, projections: projections,
                load: { projection, partition, key in
                    let id = DocumentKey(projection: projection, partition: partition, key: key)
                    return documents[id] ?? read[id]
                },
                save: { projection, partition, key, document in
                    documents[DocumentKey(projection: projection, partition: partition, key: key)] = .some(document)
                })
            return documents.map { (key: $0.key, document: $0.value) }
        }
    }

    /// The documents and projection positions read with a batch's context, parsed from the
    /// JSON the read returns (``ReadContext``).
    static func parseReadModels(documents: String, positions: String) throws -> (documents: [DocumentKey: JSONValue], positions: [String: Int64]) {
        var parsed: [DocumentKey: JSONValue] = [:]
        for case .array(let d) in try JSONValue.parse(documents).arrayValue ?? [] {
            guard d.count == 4, let projection = d[0].stringValue, let partition = d[1].stringValue, let key = d[2].stringValue,
                let text = d[3].stringValue
            else { continue }
            parsed[DocumentKey(projection: projection, partition: partition, key: key)] = try JSONValue.parse(text)
        }
        var at: [String: Int64] = [:]
        for case .array(let p) in try JSONValue.parse(positions).arrayValue ?? [] {
            guard p.count == 2, let name = p[0].stringValue, let position = p[1].numberValue else { continue }
            at[name] = Int64(position)
        }
        return (parsed, at)
    }
}

/// How many append batches a PostgreSQL store wrote on each path: the two-statement one, and
/// the locked transaction (a fallback, or the only way when a check cannot be made unlocked).
package final class AppendPathCounts: Sendable {
    private let counts = Mutex((twoStatement: 0, locked: 0))

    /// No batch yet.
    package init() {}

    /// Counts one batch.
    func count(locked: Bool) {
        counts.withLock { locked ? ($0.locked += 1) : ($0.twoStatement += 1) }
    }

    /// The batches so far, on each path.
    package var current: (twoStatement: Int, locked: Int) { counts.withLock { $0 } }
}
