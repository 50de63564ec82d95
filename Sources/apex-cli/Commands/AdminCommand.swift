import ApexCommandLine
import ApexDomain
import ApexStore
import ArgumentParser
import Foundation

/// `apex-cli admin`: operator actions on a store, offline, for when no user of the account can
/// act through the API.
struct AdminCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "admin", abstract: "Operator actions on an account, offline.", subcommands: [Allowlist.self])

    /// `apex-cli admin allowlist`.
    struct Allowlist: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "An account's IP allowlist.", subcommands: [Clear.self])
    }

    /// `apex-cli admin allowlist clear`: lock-out recovery.
    struct Clear: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Lift an account's IP allowlist, for an owner locked out by it (their address changed).",
            discussion: """
                Records account.ip_allowlist_changed with an empty list (calls are then allowed from anywhere) and the \
                reason, with the service apex-cli as its actor, like the other offline commands. The owner sets a new list \
                with PATCH /v1/account/settings. An account whose list is already empty records nothing.
                """)

        @Option(help: "The account's id.") var account: String
        @Option(help: "Why (required): who asked, how they were identified, the ticket.") var reason: String
        @OptionGroup var store: StoreOption
        @Flag(help: "Print {\"account_id\",\"recorded\",\"previous\"} as JSON.") var json = false

        func run() async throws {
            guard let accountID = UUID(uuidString: account) else { throw CLIError("--account must be an account id (a UUID)") }
            let reason = reason.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !reason.isEmpty else { throw CLIError("--reason must say why the allowlist is lifted") }
            guard reason.count <= 2000 else { throw CLIError("--reason must be at most 2000 characters") }
            let logger = makeLogger()
            let url = try Settings().storeURL(store.url)
            try await EventStores.requireExisting(url: url, logger: logger)
            let (previous, recorded) = try await EventStores.withStore(url: url, projections: [ProjectListProjection()], logger: logger) { store in
                let state = try AccountState.replay(try await store.readStream(.account(accountID)))
                guard state.id == accountID else { throw CLIError("no account \(accountID.lowercased()) in this store") }
                var drafts = try AccountDecider.decide(.setIPAllowlist(try AddressRanges(parsing: [])), state: state, context: DecisionContext(now: Date()))
                for i in drafts.indices { drafts[i].reason = reason }
                if !drafts.isEmpty {
                    let events = drafts.map { $0.proposed(id: UUID(), accountID: accountID, actor: .service("apex-cli")) }
                    _ = try await store.append(events, to: .account(accountID), expected: .exact(state.version))
                }
                return (state.ipAllowlist.entries, !drafts.isEmpty)
            }
            if json {
                Output.json(["account_id": .string(accountID.lowercased()), "recorded": .bool(recorded), "previous": .array(previous.map { .string($0) })])
            } else if recorded {
                print("account \(accountID.lowercased()): IP allowlist cleared (was \(previous.joined(separator: ", "))); calls are allowed from anywhere until an owner sets a new one")
            } else {
                print("account \(accountID.lowercased()): the IP allowlist is already empty; nothing recorded")
            }
        }
    }
}
