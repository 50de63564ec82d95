import Foundation

/// Where a store lives: `sqlite:PATH` or `postgres://user:password@host:port/database`.
///
/// For PostgreSQL, `?sslmode=require` asks for TLS and `?host=/run/postgresql` connects over the
/// Unix socket in that directory. The description never shows the password.
public enum StoreURL: Sendable, Hashable, CustomStringConvertible {
    /// An SQLite file.
    case sqlite(path: String)
    /// A PostgreSQL database.
    case postgres(PostgresLocation)

    /// The embedded default, `sqlite:./apex-data/apex.sqlite`.
    public static let defaultURL = "sqlite:./apex-data/apex.sqlite"

    /// A PostgreSQL server and database.
    public struct PostgresLocation: Sendable, Hashable {
        /// Host name (TCP).
        public var host: String
        /// Port.
        public var port: Int
        /// Directory of the Unix socket, when connecting through one.
        public var socketDirectory: String?
        /// User name.
        public var user: String
        /// Password, if any.
        public var password: String?
        /// Database.
        public var database: String
        /// Whether TLS is required.
        public var requireTLS: Bool
    }

    /// Parses a store URL, or throws ``EventStoreError/Code/invalidURL`` saying what is expected.
    public init(_ text: String) throws {
        if text.hasPrefix("sqlite:") {
            var path = String(text.dropFirst("sqlite:".count))
            if path.hasPrefix("//") { path = String(path.dropFirst(2)) }
            guard !path.isEmpty else { throw EventStoreError(.invalidURL, "sqlite: needs a file path, e.g. sqlite:./apex-data/apex.sqlite") }
            self = .sqlite(path: path)
            return
        }
        guard text.hasPrefix("postgres://") || text.hasPrefix("postgresql://"), let components = URLComponents(string: text) else {
            throw EventStoreError(
                .invalidURL, "the store URL must start with sqlite: or postgres:// (e.g. sqlite:./apex-data/apex.sqlite or postgres://apex@localhost:5432/apex)")
        }
        let query = Dictionary((components.queryItems ?? []).map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { $1 })
        let database = String(components.path.drop(while: { $0 == "/" }))
        guard !database.isEmpty else { throw EventStoreError(.invalidURL, "the postgres:// URL names no database (postgres://user@host:5432/DATABASE)") }
        guard let user = components.user, !user.isEmpty else { throw EventStoreError(.invalidURL, "the postgres:// URL names no user (postgres://USER@host:5432/db)") }
        let socket = query["host"].flatMap { $0.hasPrefix("/") ? $0 : nil }
        let host = components.host ?? ""
        guard !host.isEmpty || socket != nil else { throw EventStoreError(.invalidURL, "the postgres:// URL names no host") }
        // URLComponents percent-decodes user and password already: decoding again would turn
        // a password like `100%sure` (sent as `100%25sure`) into nil.
        self = .postgres(PostgresLocation(
            host: host.isEmpty ? "localhost" : host, port: components.port ?? 5432, socketDirectory: socket, user: user,
            password: components.password, database: database, requireTLS: query["sslmode"] == "require"))
    }

    /// The URL without its password.
    public var description: String {
        switch self {
        case .sqlite(let path): "sqlite:\(path)"
        case .postgres(let p): "postgres://\(p.user)\(p.password == nil ? "" : ":***")@\(p.host):\(p.port)/\(p.database)"
        }
    }
}
