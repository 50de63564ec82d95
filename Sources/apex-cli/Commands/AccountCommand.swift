import ApexCommandLine
import ApexDomain
import ApexServer
import ApexStore
import ArgumentParser
import Foundation

/// `apex-cli account create`: bootstrap an account and its owner, no server needed.
struct AccountCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "account", abstract: "Manage accounts.", subcommands: [Create.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create an account and its first owner; prints a bearer token for the owner.")

        @Option(help: "The account's name.") var name: String
        @Option(help: "The owner's email.") var ownerEmail: String
        @Option(help: "The owner's name.") var ownerName: String
        @OptionGroup var store: StoreOption
        @Flag(help: "Print {\"account_id\",\"user_id\",\"token\"} as JSON.") var json = false

        func run() async throws {
            let settings = Settings()
            let logger = makeLogger()
            let url = try settings.storeURL(store.url)
            let secret = try settings.jwtSecret(storeURL: url, logger: logger)
            let accountID = UUID(), ownerID = UUID()
            let drafts: [DraftEvent]
            do {
                drafts = try AccountDecider.decide(
                    .create(accountID: accountID, name: name, ownerID: ownerID, ownerName: ownerName, ownerEmail: ownerEmail),
                    state: AccountState(), context: DecisionContext(now: Date()))
            } catch {
                throw CLIError("\(error.field.map { "--\($0.replacingOccurrences(of: "_", with: "-")): " } ?? "")\(error.message)")
            }
            try await EventStores.withStore(url: url, projections: [ProjectListProjection()], logger: logger) { store in
                let events = drafts.map { $0.proposed(id: UUID(), accountID: accountID, actor: .service("apex-cli")) }
                _ = try await store.append(events, to: .account(accountID), expected: .noStream)
            }
            let token = try await TokenService(secret: secret).issue(user: ownerID, account: accountID)
            if json {
                Output.json(["account_id": .string(accountID.lowercased), "user_id": .string(ownerID.lowercased), "token": .string(token)])
            } else {
                print("account \(accountID.lowercased) created; owner \(ownerID.lowercased)\ntoken: \(token)")
            }
        }
    }
}
