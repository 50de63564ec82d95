import ApexCommandLine
import ApexDomain
import ApexStore
import ArgumentParser
import Foundation

/// `apex-cli retention run`: expire request metadata past each account's retention now, as the
/// daily job inside `serve` does (``MetadataRetention``).
struct RetentionCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "retention", abstract: "Request-metadata retention.", subcommands: [Run.self])

    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Delete the request-metadata keys of months past each account's retention (metadata_retention_days).",
            discussion: "The events stay as hashed (verify passes); their IP addresses and user agents then read as [erased].")

        @OptionGroup var store: StoreOption
        @Flag(help: "Print [{\"account_id\",\"kept_from\",\"keys_deleted\"}] as JSON.") var json = false

        func run() async throws {
            let logger = makeLogger()
            let url = try Settings().storeURL(store.url)
            try await EventStores.requireExisting(url: url, logger: logger)
            let expired = try await EventStores.withStore(url: url, projections: [ProjectListProjection()], logger: logger) { store in
                try await MetadataRetention(store: store, logger: logger).run(now: Date())
            }
            if json {
                Output.json(.array(expired.map {
                    ["account_id": .string($0.account.lowercased()), "kept_from": .string($0.keptFrom), "keys_deleted": .number(Double($0.keysDeleted))]
                }))
            } else if expired.isEmpty {
                print("nothing to expire")
            } else {
                for e in expired { print("account \(e.account.lowercased()): \(e.keysDeleted) key(s) deleted; metadata kept from \(e.keptFrom)") }
            }
        }
    }
}
