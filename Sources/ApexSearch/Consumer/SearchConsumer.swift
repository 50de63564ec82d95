public import ApexDomain
public import ApexStore
import Foundation

/// The consumer of the log named `search`: for each project whose stream a page of events
/// touches, folds the project as it now stands and replaces its documents in the index
/// (``SearchDocument/documents(of:)``). Idempotent, so a repeated page is harmless; the index
/// keeps each project's version and never goes back to an older one. Reads events as stored:
/// the index needs no personal value. ``prepareForReplay()`` empties the index
/// (`apex-cli projections rebuild search`).
public struct SearchConsumer: LogConsumer {
    /// `search`.
    public var name: String { Self.consumerName }
    /// `search`: the consumer's stable name.
    public static let consumerName = "search"
    let backend: (any SearchBackend)?
    let store: any EventStore

    /// Re-indexes the projects `events` touch.
    public func handle(_ events: [EventEnvelope]) async throws {
        guard let backend else { return }
        var seen: Set<UUID> = []
        var touched: [UUID] = []
        for event in events {
            guard let id = Self.projectID(of: event.stream), seen.insert(id).inserted else { continue }
            touched.append(id)
        }
        guard !touched.isEmpty else { return }
        var projects: [IndexedProject] = []
        for id in touched {
            let state = try await store.foldStream(.project(id), into: ProjectState()) { state, page in try state.apply(contentsOf: page) }
            projects.append(IndexedProject(projectID: id, version: state.version, documents: SearchDocument.documents(of: state)))
        }
        try await backend.replace(projects)
    }

    /// Empties the index before a replay from position 0.
    public func prepareForReplay() async throws {
        try await backend?.clear()
    }

    /// The project a stream is the stream of, if it is one.
    static func projectID(of stream: StreamID) -> UUID? {
        guard stream.rawValue.hasPrefix("project-") else { return nil }
        return UUID(uuidString: String(stream.rawValue.dropFirst("project-".count)))
    }
}
