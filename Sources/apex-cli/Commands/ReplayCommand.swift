import ApexCommandLine
import ApexDomain
import ApexStore
import ArgumentParser
import Foundation
import Logging

/// `apex-cli replay`: a project's state at a version or a time, rebuilt from its events.
struct ReplayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "replay", abstract: "Rebuild a project's state by replaying its stream.")

    @Option(help: "The project id.") var project: String
    @Option(help: "Replay up to this version.") var atVersion: Int64?
    @Option(help: "Replay the events recorded at or before this ISO 8601 time.") var atTime: String?
    @OptionGroup var store: StoreOption
    @Flag(help: "Print the state as JSON.") var json = false

    func validate() throws {
        if atVersion != nil && atTime != nil { throw ValidationError("give --at-version or --at-time, not both") }
    }

    func run() async throws {
        guard let id = UUID(uuidString: project) else { throw CLIError(.invalidArgument, "--project must be a project id (a UUID)") }
        let at = try atTime.map { try EventsCommand.time($0, "--at-time") }
        let url = try Settings().storeURL(store.url)
        let stream = StreamID.project(id)
        let (folded, total) = try await EventStores.withExistingStore(url: url, logger: makeLogger(level: .warning)) { store in
            let total = try await store.streamVersion(stream)
            guard total > 0 else { throw CLIError(.projectNotFound, "no project \(id.lowercased()) in this store") }
            if let atVersion, !(1...total).contains(atVersion) { throw CLIError(.invalidArgument, "--at-version must be from 1 to \(total)") }
            // Folded page by page as stored (state holds no personal data, so nothing is opened),
            // through the version, or the last event recorded at or before the time, or the
            // last event there was when the replay began.
            let start = Replay(state: ProjectState(), firstRecordedAt: nil, done: false)
            let folded = try await store.foldStream(stream, through: atVersion ?? total, into: start) { folded, page in
                guard !folded.done else { return }
                folded.firstRecordedAt = folded.firstRecordedAt ?? page.first?.recordedAt
                let wanted = page.prefix { event in at.map { event.recordedAt <= $0 } ?? true }
                folded.done = wanted.count < page.count
                try folded.state.apply(contentsOf: wanted)
            }
            return (folded, total)
        }
        let state = folded.state
        if let atTime, state.version == 0 {
            let first = folded.firstRecordedAt.map { ": its first event was recorded at \(Timestamp.format($0))" } ?? ""
            throw CLIError(.projectNotYetCreated, "project \(id.lowercased()) did not exist yet at \(atTime)\(first)")
        }
        var document = try CanonicalJSON.value(of: state).objectValue ?? [:]
        document["state_hash"] = .string(state.stateHash)
        if json {
            Output.json(.object(document))
        } else {
            print("project \(id.lowercased()) at version \(state.version) of \(total)")
            print("  name:        \(state.fields.name)")
            print("  status:      \(state.status.rawValue)\(state.deleted ? " (deleted)" : "")")
            print("  tags:        \(state.fields.tags.joined(separator: ", "))")
            print("  calculations: \(state.calculations.count)")
            print("  updated:     \(state.updatedAt.map(Timestamp.format) ?? "-")")
            print("  state hash:  \(state.stateHash)")
        }
    }
}

/// What `replay` folds: the state, when the stream began, and whether the time was passed.
private struct Replay: Sendable {
    var state: ProjectState
    var firstRecordedAt: Date?
    var done: Bool
}
