public import ApexDomain

/// One document of a projection, with its key: an element of a page
/// (``EventStore/projectionDocuments(_:partition:after:limit:)``).
public struct ProjectionDocument: Sendable, Hashable {
    /// The document's key within its partition (a project id for ``ProjectListProjection``).
    public var key: String
    /// The document.
    public var document: JSONValue

    /// A document under `key`.
    public init(key: String, document: JSONValue) {
        self.key = key
        self.document = document
    }
}

extension EventStore {
    /// A page read from all of the partition's documents: correct for a store that cannot page
    /// (a wrapper written before pages), but it reads the whole partition each time. The stores
    /// of this package page in the database.
    public func projectionDocuments(_ projection: any Projection, partition: String, after key: String?, limit: Int) async throws -> [ProjectionDocument] {
        let all = try await projectionDocuments(projection, partition: partition)
        return all.keys.sorted().lazy.filter { key == nil || $0 > key! }.prefix(max(0, limit)).map { ProjectionDocument(key: $0, document: all[$0]!) }
    }
}
