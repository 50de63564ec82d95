import ApexCommandLine
import ApexDomain
import ApexStore
import ArgumentParser
import Foundation

/// `apex-cli gdpr erase`: erase a user's personal data offline (GDPR Art. 17), as
/// `POST /v1/users/{id}/erase` does: records `user.erased`, then deletes the user's keys.
struct GDPRCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "gdpr", abstract: "Data-subject requests (GDPR).", subcommands: [Erase.self])

    struct Erase: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Erase a user's personal data (crypto-shredding): their name, email and request metadata read as [erased].",
            discussion: """
                Records user.erased with the reason (actor: the service apex-cli), then deletes the user's data keys. \
                The events and their hashes stay: verify still passes. Running it again deletes any key left behind.
                """)

        @Option(help: "The user's id.") var user: String
        @Option(help: "Why (required): the request or ticket the erasure answers.") var reason: String
        @OptionGroup var store: StoreOption
        @Flag(help: "Print {\"user_id\",\"account_id\",\"recorded\",\"keys_deleted\"} as JSON.") var json = false

        func run() async throws {
            guard let userID = UUID(uuidString: user) else { throw CLIError("--user must be a user id (a UUID)") }
            let logger = makeLogger()
            let url = try Settings().storeURL(store.url)
            try await EventStores.requireExisting(url: url, logger: logger)
            let (accountID, recorded, deleted) = try await EventStores.withStore(url: url, projections: [ProjectListProjection()], logger: logger) { store in
                guard let account = try await AccountLookup.account(of: userID, in: store), let accountID = account.id else {
                    throw CLIError("no user \(userID.lowercased()) in this store")
                }
                let drafts: [DraftEvent]
                do {
                    drafts = try AccountDecider.decide(.erase(userID: userID, reason: reason), state: account, context: DecisionContext(now: Date()))
                } catch let error as DomainError {
                    throw CLIError("\(error.field.map { "--\($0): " } ?? "")\(error.message)")
                }
                if !drafts.isEmpty {
                    let events = drafts.map { $0.proposed(id: UUID(), accountID: accountID, actor: .service("apex-cli")) }
                    _ = try await store.append(events, to: .account(accountID), expected: .exact(account.version))
                }
                return (accountID, !drafts.isEmpty, try await store.eraseUser(userID, account: accountID))
            }
            if json {
                Output.json(["user_id": .string(userID.lowercased()), "account_id": .string(accountID.lowercased()),
                             "recorded": .bool(recorded), "keys_deleted": .number(Double(deleted))])
            } else {
                print("user \(userID.lowercased()) erased\(recorded ? "" : " (already recorded)"); \(deleted) key(s) deleted")
            }
        }
    }
}
