import ApexCommandLine
import ApexDomain
import ApexStore
import ArgumentParser
import Foundation
import Logging

/// `apex-cli history`: every event of a project with actor, metadata, reason and diff. Actors
/// are named as the account recorded them (name and email), or `[erased]` once erased.
struct HistoryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "history", abstract: "A project's audit trail, with the diff of every event.")

    @Option(help: "The project id.") var project: String
    @OptionGroup var store: StoreOption
    @Flag(help: "Print the complete trail as JSON.") var json = false

    func run() async throws {
        guard let id = UUID(uuidString: project) else { throw CLIError(.invalidArgument, "--project must be a project id (a UUID)") }
        let url = try Settings().storeURL(store.url)
        let (events, users) = try await EventStores.withExistingStore(url: url, logger: makeLogger(level: .warning)) { store in
            let events = try await store.readStream(.project(id))
            guard let account = events.first?.accountID else { return (events, [UUID: AccountUser]()) }
            return (events, try AccountState.replay(try await store.readStream(.account(account))).users)
        }
        guard !events.isEmpty else { throw CLIError(.projectNotFound, "no project \(id.lowercased()) in this store") }
        let trail = try ProjectHistory(events: events).auditTrail()
        if json {
            let items = trail.map { entry -> JSONValue in
                var o = entry.json().objectValue ?? [:]
                if let person = Self.person(entry.event.actor, users), var actor = o["actor"]?.objectValue {
                    actor["name"] = person.name.map(JSONValue.string) ?? .null
                    actor["email"] = person.email.map(JSONValue.string) ?? .null
                    o["actor"] = .object(actor)
                }
                return .object(o)
            }
            Output.json(.object(["project_id": .string(id.lowercased()), "items": .array(items)]))
            return
        }
        let color = Output.isStdoutTerminal
        func paint(_ s: String, _ code: String) -> String { color ? "\u{1B}[\(code)m\(s)\u{1B}[0m" : s }
        for entry in trail {
            let e = entry.event
            var who = e.actor.userID?.lowercased ?? e.actor.service ?? "-"
            if let person = Self.person(e.actor, users) {
                let email = person.email.map { " <\($0)>" } ?? ""
                who = "\(person.name ?? "-")\(email) (\(who))"
            }
            let from = e.requestMetadata.ipAddress?.display ?? "-"
            print(paint("v\(e.version)".padding(toLength: 5, withPad: " ", startingAt: 0), "1") + " "
                + Timestamp.format(e.recordedAt) + "  " + paint(e.type.padding(toLength: 24, withPad: " ", startingAt: 0), "36")
                + " by " + who + " from " + from + (e.requestMetadata.requestID.map { " [\($0)]" } ?? ""))
            if let reason = e.reason { print("      why: " + reason) }
            for (path, change) in entry.diff.changed.sorted(by: { $0.key < $1.key }) {
                print("      " + paint("~ \(path)", "33") + ": \(CanonicalJSON.string(change.before)) → \(CanonicalJSON.string(change.after))")
            }
            for (path, value) in entry.diff.added.sorted(by: { $0.key < $1.key }) {
                print("      " + paint("+ \(path)", "32") + ": \(CanonicalJSON.string(value))")
            }
            for (path, value) in entry.diff.removed.sorted(by: { $0.key < $1.key }) {
                print("      " + paint("- \(path)", "31") + ": \(CanonicalJSON.string(value))")
            }
        }
    }

    /// The acting user's name and email as the account recorded them (`[erased]` once erased);
    /// nil for a service or a user the account does not know.
    static func person(_ actor: Actor, _ users: [UUID: AccountUser]) -> (name: String?, email: String?)? {
        guard let id = actor.userID, let user = users[id] else { return nil }
        return (user.shownName, user.shownEmail)
    }
}
