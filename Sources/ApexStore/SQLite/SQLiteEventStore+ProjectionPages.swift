import ApexDomain
import GRDB

extension SQLiteEventStore {
    /// A page of a projection's documents in a partition, in key order (the primary key's index).
    public func projectionDocuments(_ projection: any Projection, partition: String, after key: String?, limit: Int) async throws -> [ProjectionDocument] {
        try await catchUpIfBehind(projection)
        let name = projection.name
        return try await read { db in
            try Row.fetchAll(
                db, sql: "SELECT key, document FROM read_models WHERE projection = ? AND partition = ? AND key > ? ORDER BY key LIMIT ?",
                arguments: [name, partition, key ?? "", max(0, limit)]
            ).map { row in ProjectionDocument(key: row["key"], document: try JSONValue.parse(row["document"] as String)) }
        }
    }

    /// Folds the log into `projection` when it is behind the store's head.
    func catchUpIfBehind(_ projection: any Projection) async throws {
        let behind = try await read { db in try Self.projectionPosition(db, projection) != (try Int64.fetchOne(db, sql: "SELECT max(position) FROM events") ?? 0) }
        if behind { try await write { db in try Self.catchUp(db, projection) } }
    }
}
