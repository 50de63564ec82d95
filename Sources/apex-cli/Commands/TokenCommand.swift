import ApexCommandLine
import ApexDomain
import ApexServer
import ApexStore
import ApexWeb
import ArgumentParser
import Foundation

/// `apex-cli token issue`: mint a bearer token for an existing user.
struct TokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "token", abstract: "Bearer tokens.", subcommands: [Issue.self])

    struct Issue: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Mint a bearer token for a user, or a one-time sign-in link to the web pages.")

        @Option(help: "The user's id.") var user: String
        @Option(help: "How long the token is valid: 30m, 12h, 7d.") var ttl: String = "12h"
        @OptionGroup var store: StoreOption
        @Flag(help: "Print {\"user_id\",\"account_id\",\"token\",\"expires_in\"} as JSON.") var json = false
        @Flag(help: "Print a one-time sign-in link to the web pages instead, valid 15 minutes.") var signInLink = false
        @Option(help: "The server's address for --sign-in-link (default APEX_PUBLIC_URL, else http://127.0.0.1:8080).") var baseUrl: String?

        func run() async throws {
            guard let userID = UUID(uuidString: user) else { throw CLIError("--user must be a user id (a UUID)") }
            guard let seconds = Self.seconds(ttl) else { throw CLIError("--ttl must look like 30m, 12h or 7d") }
            let settings = Settings()
            let logger = makeLogger()
            let url = try settings.storeURL(store.url)
            let account = try await EventStores.withExistingStore(url: url, logger: logger) { store -> UUID? in
                guard let state = try await AccountLookup.account(of: userID, in: store), state.users[userID]?.isActive == true else { return nil }
                return state.id
            }
            guard let account else { throw CLIError("no active user \(userID.lowercased()) in this store") }
            let secret = try settings.jwtSecret(storeURL: url, logger: logger)
            if signInLink {
                let base = try baseUrl ?? settings.value("APEX_PUBLIC_URL") ?? "http://127.0.0.1:8080"
                guard base.hasPrefix("http://") || base.hasPrefix("https://") else {
                    throw CLIError("--base-url (or APEX_PUBLIC_URL) must be an http:// or https:// address (got \(base))")
                }
                let token = SignInLinks(secret: secret).issue(user: userID, account: account, now: Date())
                print(SignInLinks.url(base: base, token: token))
                return
            }
            let token = try await TokenService(secret: secret).issue(user: userID, account: account, ttl: .seconds(seconds))
            if json {
                Output.json(["user_id": .string(userID.lowercased), "account_id": .string(account.lowercased), "token": .string(token),
                             "expires_in": .number(Double(seconds))])
            } else {
                print(token)
            }
        }

        static func seconds(_ text: String) -> Int? {
            guard let unit = text.last, let n = Int(text.dropLast()), n > 0 else { return nil }
            switch unit {
            case "s": return n
            case "m": return n * 60
            case "h": return n * 3600
            case "d": return n * 86_400
            default: return nil
            }
        }
    }
}

extension UUID {
    func lowercased() -> String { uuidString.lowercased() }
}
