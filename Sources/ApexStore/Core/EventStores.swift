public import Foundation
public import Logging
public import PostgresNIO
import NIOSSL

/// Opens the store a URL names, runs what it needs for the duration of `body`, and closes it.
public enum EventStores {
    /// Calls `body` with the store at `url` (see ``StoreURL``), migrated and ready.
    ///
    /// ```swift
    /// try await EventStores.withStore(url: "sqlite:./apex-data/apex.sqlite") { store in
    ///     try await store.append([event], to: .project(id), expected: .noStream)
    /// }
    /// ```
    public static func withStore<T: Sendable>(
        url: String, projections: [any Projection] = [], clock: (@Sendable () -> Date)? = nil,
        logger: Logger = Logger(label: "apex.store"),
        _ body: (any EventStore) async throws -> T
    ) async throws -> T {
        try await open(url: url, existing: false, projections: projections, clock: clock, logger: logger, body)
    }

    /// Calls `body` with the store at `url` if it exists (migrated when it is older); throws
    /// ``EventStoreError/Code/storeNotFound``, creating nothing, when it was never created: no
    /// SQLite file at the path, or no Apex schema in the PostgreSQL database. For readers, which
    /// must not leave an empty store behind where the user meant another.
    public static func withExistingStore<T: Sendable>(
        url: String, logger: Logger = Logger(label: "apex.store"), _ body: (any EventStore) async throws -> T
    ) async throws -> T {
        try await open(url: url, existing: true, projections: [], clock: nil, logger: logger, body)
    }

    /// Throws ``EventStoreError/Code/storeNotFound`` unless the store at `url` exists; creates nothing.
    public static func requireExisting(url: String, logger: Logger = Logger(label: "apex.store")) async throws {
        switch try StoreURL(url) {
        case .sqlite(let path):
            try requireSQLiteFile(path)
        case .postgres(let location):
            let store = PostgresEventStore(configuration: postgresConfiguration(location), logger: logger)
            try await withRunning(store) { try await requireSchema(store, location) }
        }
    }

    private static func open<T: Sendable>(
        url: String, existing: Bool, projections: [any Projection], clock: (@Sendable () -> Date)?, logger: Logger,
        _ body: (any EventStore) async throws -> T
    ) async throws -> T {
        switch try StoreURL(url) {
        case .sqlite(let path):
            if existing { try requireSQLiteFile(path) }
            var configuration = SQLiteEventStore.Configuration()
            configuration.projections = projections
            if let clock { configuration.clock = clock }
            let store = try SQLiteEventStore(path: path, configuration: configuration)
            do {
                let result = try await body(store)
                try await store.close()
                return result
            } catch {
                try? await store.close()
                throw error
            }
        case .postgres(let location):
            let store = PostgresEventStore(configuration: postgresConfiguration(location), projections: projections, clock: clock, logger: logger)
            return try await withRunning(store) {
                if existing { try await requireSchema(store, location) }
                try await store.migrate()
                return try await body(store)
            }
        }
    }

    private static func requireSQLiteFile(_ path: String) throws {
        let absolute = URL(fileURLWithPath: path).path
        guard FileManager.default.fileExists(atPath: absolute) else {
            throw EventStoreError(.storeNotFound, "no store at \(absolute): the SQLite file does not exist")
        }
    }

    private static func requireSchema(_ store: PostgresEventStore, _ location: StoreURL.PostgresLocation) async throws {
        guard try await store.schemaExists() else {
            throw EventStoreError(.storeNotFound, "no store at \(StoreURL.postgres(location)): the database holds no Apex schema")
        }
    }

    /// Runs the store's connection pool for the duration of `body`.
    private static func withRunning<T: Sendable>(_ store: PostgresEventStore, _ body: () async throws -> T) async throws -> T {
        try await withThrowingTaskGroup(of: Void.self) { group in
            // Start the pool before the first query, so PostgresNIO never sees a lease before `run()`.
            let (started, signal) = AsyncStream<Void>.makeStream()
            group.addTask {
                signal.finish()
                try await store.run()
            }
            for await _ in started {}
            await Task.yield()
            defer { group.cancelAll() }
            return try await body()
        }
    }

    /// PostgresNIO's client configuration for a location.
    public static func postgresConfiguration(_ p: StoreURL.PostgresLocation) -> PostgresClient.Configuration {
        var configuration: PostgresClient.Configuration
        if let dir = p.socketDirectory {
            configuration = .init(unixSocketPath: "\(dir)/.s.PGSQL.\(p.port)", username: p.user, password: p.password, database: p.database)
        } else {
            configuration = .init(
                host: p.host, port: p.port, username: p.user, password: p.password, database: p.database,
                tls: p.requireTLS ? .require(.makeClientConfiguration()) : .disable)
        }
        configuration.options.connectTimeout = .seconds(5)
        applyPoolOptions(to: &configuration)
        return configuration
    }

    /// The connection pool options Apex runs PostgreSQL with: no keep-alive pings, and two
    /// connections that the pool keeps open however long they are idle.
    ///
    /// Each time a connection goes back to PostgresNIO's pool, the pool starts a keep-alive
    /// timer and, for a connection above the minimum, an idle-timeout timer, each a task that
    /// sleeps 30 or 60 seconds and is cancelled when the connection is leased again. A cancelled
    /// sleep is not freed before its deadline (swiftlang/swift#60441), so a store committing
    /// thousands of groups a second held tens of thousands of pending timers: 190 MB more
    /// memory, and every later query slower while they expired (PostgreSQL batches of 100 ran at
    /// 0.66 of the raw insert after sixteen writers, 0.71 with these options). Appends and reads
    /// mostly reuse the first two connections, which start no idle timer. Without keep-alive, a
    /// connection that died while idle is found when next used: that statement fails (an append
    /// reports ``EventStoreError/Code/unavailable``) and the pool opens another.
    public static func applyPoolOptions(to configuration: inout PostgresClient.Configuration) {
        configuration.options.keepAliveBehavior = nil
        configuration.options.minimumConnections = 2
    }
}
