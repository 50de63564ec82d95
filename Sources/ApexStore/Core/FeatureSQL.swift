import Foundation
import GRDB
public import Logging
import PostgresNIO
import Synchronization

/// A value bound to or read from a feature's tables: both databases store these three kinds
/// (times as unix milliseconds, flags as 0/1).
public enum FeatureSQLValue: Sendable, Hashable {
    /// SQL NULL.
    case null
    /// An integer (times as unix milliseconds, flags as 0/1).
    case int(Int64)
    /// Text.
    case text(String)

    /// The integer, if it is one.
    public var int: Int64? { if case .int(let i) = self { i } else { nil } }
    /// The text, if it is text.
    public var text: String? { if case .text(let s) = self { s } else { nil } }
}

/// One row, by column name.
public typealias FeatureSQLRow = [String: FeatureSQLValue]

/// Runs a feature's statements on the store's database (``FeatureDatabase``), in
/// one dialect: `?` placeholders (numbered for PostgreSQL) and `{skip_locked}`, which is
/// `FOR UPDATE SKIP LOCKED` on PostgreSQL and nothing on SQLite (one writer at a time).
public struct FeatureSQL: Sendable {
    /// The database.
    public let database: FeatureDatabase
    let logger: Logger

    /// Statements on `database`, logged (PostgreSQL) to `logger`.
    public init(database: FeatureDatabase, logger: Logger) {
        self.database = database
        self.logger = logger
    }

    /// Whether the store keeps feature tables at all.
    public var isAvailable: Bool { if case .none = database { false } else { true } }

    /// Runs one statement and returns its rows (those of `RETURNING`, for a write).
    @discardableResult
    public func run(_ sql: String, _ binds: [FeatureSQLValue] = [], write: Bool = true) async throws -> [FeatureSQLRow] {
        switch database {
        case .sqlite(let pool):
            let statement = Self.sqlite(sql, binds)
            let fetch: @Sendable (Database) throws -> [FeatureSQLRow] = { db in try Self.rows(db, statement) }
            return write ? try await pool.write(fetch) : try await pool.read(fetch)
        case .postgres(let client):
            return try await Self.rows(try await client.query(Self.postgres(sql, binds), logger: logger))
        case .none:
            throw EventStoreError(.unavailable, "this feature needs a SQLite or PostgreSQL store")
        }
    }
}

extension FeatureSQL {
    /// A statement in SQLite's dialect: `{skip_locked}` removed, binds as GRDB arguments.
    static func sqlite(_ sql: String, _ binds: [FeatureSQLValue]) -> (text: String, arguments: StatementArguments) {
        let arguments = StatementArguments(binds.map { value -> (any DatabaseValueConvertible)? in
            switch value {
            case .null: nil
            case .int(let i): i
            case .text(let s): s
            }
        })
        return (sql.replacingOccurrences(of: "{skip_locked}", with: ""), arguments)
    }

    /// The rows of a SQLite statement.
    static func rows(_ db: Database, _ statement: (text: String, arguments: StatementArguments)) throws -> [FeatureSQLRow] {
        try Row.fetchAll(db, sql: statement.text, arguments: statement.arguments).map { row in
            var out: FeatureSQLRow = [:]
            for (name, value) in row {
                switch value.storage {
                case .int64(let i): out[name] = .int(i)
                case .string(let s): out[name] = .text(s)
                case .double(let d): out[name] = .int(Int64(d))
                case .blob(let b): out[name] = .text(String(decoding: b, as: UTF8.self))
                case .null: out[name] = .null
                }
            }
            return out
        }
    }

    /// A statement in PostgreSQL's dialect: numbered placeholders, `FOR UPDATE SKIP LOCKED`.
    static func postgres(_ sql: String, _ binds: [FeatureSQLValue]) -> PostgresQuery {
        var text = ""
        var n = 0
        for c in sql.replacingOccurrences(of: "{skip_locked}", with: "FOR UPDATE SKIP LOCKED") {
            if c == "?" { n += 1; text += "$\(n)" } else { text.append(c) }
        }
        var bindings = PostgresBindings()
        for value in binds {
            switch value {
            case .null: bindings.appendNull()
            case .int(let i): bindings.append(i)
            case .text(let s): bindings.append(s)
            }
        }
        return PostgresQuery(unsafeSQL: text, binds: bindings)
    }

    /// The rows of a PostgreSQL statement.
    static func rows(_ rows: PostgresRowSequence) async throws -> [FeatureSQLRow] {
        var out: [FeatureSQLRow] = []
        for try await row in rows {
            var r: FeatureSQLRow = [:]
            for cell in row {
                if cell.bytes == nil { r[cell.columnName] = .null; continue }
                switch cell.dataType {
                case .int2, .int4, .int8: r[cell.columnName] = .int(try cell.decode(Int64.self))
                case .bool: r[cell.columnName] = .int(try cell.decode(Bool.self) ? 1 : 0)
                default: r[cell.columnName] = .text(try cell.decode(String.self))
                }
            }
            out.append(r)
        }
        return out
    }
}

/// A feature's tables, created on first use: `CREATE … IF NOT EXISTS` statements run once per
/// value (and its copies), since DDL takes table locks on PostgreSQL and must not be repeated
/// with every page of the log. Several instances may race to create them on PostgreSQL, so a
/// failure is retried once.
public final class FeatureSchema: Sendable {
    /// The statements, in order.
    public let statements: [String]
    private let done = Mutex<Bool>(false)

    /// A schema of idempotent `statements`.
    public init(_ statements: [String]) { self.statements = statements }

    /// Runs the statements on `sql` the first time; nothing when the store keeps no feature tables.
    public func create(on sql: FeatureSQL) async throws {
        guard sql.isAvailable, !done.withLock({ $0 }) else { return }
        do { try await run(sql) } catch {
            try await Task.sleep(for: .milliseconds(200))
            try await run(sql)
        }
        done.withLock { $0 = true }
    }

    private func run(_ sql: FeatureSQL) async throws {
        for statement in statements { try await sql.run(statement) }
    }
}
