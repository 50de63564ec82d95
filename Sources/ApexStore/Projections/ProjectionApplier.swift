package import ApexDomain

/// Applies projections to a batch of stored events through an adapter's document access.
package enum ProjectionApplier {
    /// For each event and projection: load the target document, fold the event in, save or delete it.
    package static func apply(
        _ events: [EventEnvelope], projections: [any Projection],
        load: (String, String, String) throws -> JSONValue?,
        save: (String, String, String, JSONValue?) throws -> Void
    ) throws {
        for projection in projections {
            for event in events {
                guard let target = projection.target(of: event) else { continue }
                let current = try load(projection.name, target.partition, target.key)
                let next = try projection.apply(event, to: current)
                try save(projection.name, target.partition, target.key, next)
            }
        }
    }

    /// The async form, for adapters whose document access is async (PostgreSQL).
    package static func apply(
        _ events: [EventEnvelope], projections: [any Projection],
        load: (String, String, String) async throws -> JSONValue?,
        save: (String, String, String, JSONValue?) async throws -> Void
    ) async throws {
        for projection in projections {
            for event in events {
                guard let target = projection.target(of: event) else { continue }
                let current = try await load(projection.name, target.partition, target.key)
                let next = try projection.apply(event, to: current)
                try await save(projection.name, target.partition, target.key, next)
            }
        }
    }
}
