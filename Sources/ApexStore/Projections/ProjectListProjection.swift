public import ApexDomain
public import Foundation

/// The read model behind project lists: each project's current summary (its `ProjectState`
/// without calculation or file records, ``ProjectState/applyToSummary(_:)``), one document per
/// project, partitioned by account. Kept inline with every append, so it stays the size of a
/// row: a document holding the whole state made each write to a long-lived project decode and
/// encode every calculation revision it held.
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
        guard let project = stream.projectID else { return .none }
        return .owned(partition: account.lowercased, key: project.lowercased)
    }

    /// Folds the event into the stored summary (a document written before summaries, holding
    /// records, loses them on its next change).
    public func apply(_ event: EventEnvelope, to document: JSONValue?) throws -> JSONValue? {
        var state = try document.map { try CanonicalJSON.decode(ProjectState.self, from: $0) } ?? ProjectState()
        try state.applyToSummary(event)
        return try CanonicalJSON.value(of: state)
    }

    /// Decodes the documents of one account: summaries, without calculation or file records.
    public static func states(_ documents: [String: JSONValue]) throws -> [ProjectState] {
        try documents.values.map { try CanonicalJSON.decode(ProjectState.self, from: $0) }
    }
}
