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
    /// The states folded last, caught up rather than folded again from the first event (its
    /// own cache, not the server's: the state it indexed before is what an edit is diffed against).
    let folded = ProjectStateCache(budget: 64 << 20)
    /// The documents last indexed for each project, so that an edit is diffed against them
    /// without building them again from the state before it.
    let indexedDocuments = DocumentMemo()

    /// Re-indexes the projects `events` touch.
    public func handle(_ events: [EventEnvelope]) async throws {
        guard let backend else { return }
        var seen: Set<UUID> = []
        var touched: [UUID] = []
        for event in events {
            guard let id = event.stream.projectID, seen.insert(id).inserted else { continue }
            touched.append(id)
        }
        guard !touched.isEmpty else { return }
        var projects: [IndexedProject] = []
        projects.reserveCapacity(touched.count)
        // A few projects folded at once: each is a read of its stream (one query for most).
        try await withThrowingTaskGroup(of: IndexedProject.self) { group in
            var next = touched.makeIterator()
            for _ in 0..<Self.concurrentFolds {
                guard let id = next.next() else { break }
                group.addTask { try await indexed(id) }
            }
            while let project = try await group.next() {
                projects.append(project)
                if let id = next.next() { group.addTask { try await indexed(id) } }
            }
        }
        try await backend.replace(projects)
    }

    /// How many projects a page folds at once.
    static let concurrentFolds = 8

    /// A project's documents as it now stands: the state folded last for it (if kept) caught up
    /// with the events after its version, else its stream folded from its snapshot or first event.
    private func indexed(_ id: UUID) async throws -> IndexedProject {
        let before = await folded.state(of: id)
        let state = try await folded.load(id, from: store) ?? ProjectState()
        let documents = SearchDocument.documents(of: state)
        var project = IndexedProject(projectID: id, version: state.version, documents: documents)
        if let before, before.version > 0 {
            project.previous = (before.version, indexedDocuments.documents(of: id, at: before.version) ?? SearchDocument.documents(of: before))
        }
        indexedDocuments.keep(documents, of: id, at: state.version)
        return project
    }

    /// Empties the index before a replay from position 0.
    public func prepareForReplay() async throws {
        try await backend?.clear()
    }

}
