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
        switch try StoreURL(url) {
        case .sqlite(let path):
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
            return try await withThrowingTaskGroup(of: Void.self) { group in
                // Start the pool before the first query, so PostgresNIO never sees a lease before `run()`.
                let (started, signal) = AsyncStream<Void>.makeStream()
                group.addTask {
                    signal.finish()
                    try await store.run()
                }
                for await _ in started {}
                await Task.yield()
                defer { group.cancelAll() }
                try await store.migrate()
                return try await body(store)
            }
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
        return configuration
    }
}
