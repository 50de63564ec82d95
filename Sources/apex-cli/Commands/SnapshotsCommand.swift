import ApexCommandLine
import ApexDomain
import ApexStore
import ArgumentParser
import Foundation
import Logging

/// `apex-cli snapshots drop`: delete every persisted project snapshot. They are a cache: servers
/// fold from the log and write new ones (every `APEX_SNAPSHOT_INTERVAL` events of a project).
struct SnapshotsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "snapshots", abstract: "Manage persisted project snapshots (a cache beside the log).", subcommands: [Drop.self])

    /// `apex-cli snapshots drop`.
    struct Drop: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "drop", abstract: "Delete every persisted snapshot; servers fold from the log and write new ones.")

        @OptionGroup var store: StoreOption
        @Flag(help: "Print the count as JSON.") var json = false

        func run() async throws {
            let settings = Settings()
            let url = try settings.storeURL(store.url)
            let dropped = try await EventStores.withExistingStore(url: url, logger: makeLogger(level: .warning)) { store in
                try await store.deleteSnapshots()
            }
            if json { Output.json(["dropped": .number(Double(dropped))]) } else { print("dropped \(dropped) snapshots") }
        }
    }
}
