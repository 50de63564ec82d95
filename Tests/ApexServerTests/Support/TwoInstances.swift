import ApexServer
import ApexStore
import ApexTestSupport

/// Two server instances on one throwaway PostgreSQL database, each with its own store as `serve`
/// opens it, sharing the tests' signing secret (a token from one is valid on the other), rate
/// limits off.
struct TwoInstances {
    /// The first instance's store and API.
    var storeA: any EventStore, first: ApexAPI
    /// The second instance's store and API.
    var storeB: any EventStore, second: ApexAPI

    static func with(_ body: (TwoInstances) async throws -> Void) async throws {
        try await TestPostgres.withDatabase { database in
            try await EventStores.withStore(url: database.url, projections: ServerConfiguration.storeProjections, logger: World.logger) { a in
                try await EventStores.withStore(url: database.url, projections: ServerConfiguration.storeProjections, logger: World.logger) { b in
                    var configuration = ServerConfiguration()
                    configuration.jwtSecret = World.secret
                    configuration.rateLimits = .off
                    try await body(TwoInstances(
                        storeA: a, first: try await ApexAPI(store: a, configuration: configuration),
                        storeB: b, second: try await ApexAPI(store: b, configuration: configuration)))
                }
            }
        }
    }
}
