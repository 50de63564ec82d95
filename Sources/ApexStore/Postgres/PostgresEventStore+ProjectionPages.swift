import ApexDomain
import PostgresNIO

extension PostgresEventStore {
    /// A page of a projection's documents in a partition, in the primary key's order of keys.
    public func projectionDocuments(_ projection: any Projection, partition: String, after key: String?, limit: Int) async throws -> [ProjectionDocument] {
        try await catchUpIfBehind(projection)
        let name = projection.name
        let after = key ?? ""
        let limit = max(0, limit)
        return try await guarded {
            var page: [ProjectionDocument] = []
            for try await (k, d) in try await self.client.query(
                "SELECT key, document FROM read_models WHERE projection = \(name) AND partition = \(partition) AND key > \(after) ORDER BY key LIMIT \(limit)",
                logger: self.logger
            ).decode((String, String).self) {
                page.append(ProjectionDocument(key: k, document: try JSONValue.parse(d)))
            }
            return page
        }
    }
}
