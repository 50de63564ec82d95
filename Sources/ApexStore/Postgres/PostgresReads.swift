import ApexDomain
import Foundation
import Logging
import PostgresNIO

/// The reads that pages, streams and subscriptions repeat (stored rows, and the keys to open
/// them): prepared once per connection. Sent as plain queries, PostgreSQL parsed and planned each page again (about
/// 0.35 ms, half a page's execution), which a catch-up read pays every 500 events.
extension PostgresEventStore {
    /// A row of ``columns``, as PostgresNIO decodes it.
    typealias EventRow = (Int64, String, Int64, String, String, Int, String, String, String, String, ByteBuffer?, String, String, String)

    /// A prepared read of ``columns``.
    protocol EventRowsStatement: PostgresPreparedStatement where Row == EventRow {}

    /// A prepared read of the log after a global position, a page at a time: `$1` is the
    /// position, `$2` the page size.
    protocol LogPageStatement: PostgresPreparedStatement {
        var after: Int64 { get }
        var limit: Int64 { get }
    }

    /// Events after a global position.
    struct LogPage: EventRowsStatement, LogPageStatement {
        static let name = "apex_log_page"
        static let sql = "SELECT \(columns) FROM events WHERE position > $1 ORDER BY position LIMIT $2"
        var after: Int64
        var limit: Int64
    }

    /// The hashes of the events after a global position (Merkle leaves).
    struct HashPage: LogPageStatement {
        typealias Row = (Int64, String)
        static let name = "apex_hash_page"
        static let sql = "SELECT position, hash FROM events WHERE position > $1 ORDER BY position LIMIT $2"
        var after: Int64
        var limit: Int64

        func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(Row.self) }
    }

    /// A stream's events from a version.
    struct StreamPage: EventRowsStatement {
        static let name = "apex_stream_page"
        static let sql = "SELECT \(columns) FROM events WHERE stream_id = $1 AND version >= $2 ORDER BY version LIMIT $3"
        var stream: String
        var from: Int64
        var limit: Int64

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 3)
            bindings.append(stream)
            bindings.append(from)
            bindings.append(limit)
            return bindings
        }
    }

    /// One account's events after a global position.
    struct AccountPage: EventRowsStatement {
        static let name = "apex_account_page"
        static let sql = "SELECT \(columns) FROM events WHERE account_id = $1 AND position > $2 ORDER BY position LIMIT $3"
        var account: UUID
        var after: Int64
        var limit: Int64

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 3)
            bindings.append(account)
            bindings.append(after)
            bindings.append(limit)
            return bindings
        }
    }

    /// The keys some subjects have: fetched once for each page an opened read returns.
    struct KeyRows: PostgresPreparedStatement {
        typealias Row = (String, Data)
        static let name = "apex_key_rows"
        static let sql = "SELECT subject, key FROM data_keys WHERE subject = ANY($1)"
        var subjects: [String]

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 1)
            bindings.append(subjects)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(Row.self) }
    }
}

extension PostgresEventStore.EventRowsStatement {
    /// Decodes a row of ``PostgresEventStore/columns``.
    func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(Row.self) }
}

extension EnvelopeColumns {
    /// The columns of a row PostgreSQL returned.
    init(_ r: PostgresEventStore.EventRow) {
        self.init(
            position: r.0, stream: r.1, version: r.2, id: r.3, type: r.4, schemaVersion: r.5, data: r.6, accountID: r.7,
            actor: r.8, requestMetadata: r.9, reason: r.10.map { String(buffer: $0) }, recordedAt: r.11, prevHash: r.12, hash: r.13)
    }
}

extension PostgresEventStore.LogPageStatement {
    /// The position, then the page size.
    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 2)
        bindings.append(after)
        bindings.append(limit)
        return bindings
    }
}
