public import ApexDomain
public import Foundation

/// The read model behind project lists and search: each project's current `ProjectState`,
/// one document per project, partitioned by account.
public struct ProjectListProjection: Projection {
    /// `projects`.
    public let name = "projects"

    /// The projection.
    public init() {}

    /// Project streams only.
    public func target(of event: EventEnvelope) -> (partition: String, key: String)? {
        guard case .owned(let partition, let key) = ownership(of: event.stream, account: event.accountID) else { return nil }
        return (partition, key)
    }

    /// A project's document is its own stream's: only that project's events change it.
    public func ownership(of stream: StreamID, account: UUID) -> DocumentOwnership {
        guard stream.rawValue.hasPrefix("project-") else { return .none }
        return .owned(partition: account.lowercased, key: String(stream.rawValue.dropFirst("project-".count)))
    }

    /// Folds the event into the stored state.
    public func apply(_ event: EventEnvelope, to document: JSONValue?) throws -> JSONValue? {
        var state = try document.map { try CanonicalJSON.decode(ProjectState.self, from: $0) } ?? ProjectState()
        try state.apply(event)
        return try CanonicalJSON.value(of: state)
    }

    /// Decodes the documents of one account.
    public static func states(_ documents: [String: JSONValue]) throws -> [ProjectState] {
        try documents.values.map { try CanonicalJSON.decode(ProjectState.self, from: $0) }
    }
}
