import ArgumentParser

/// `apex-cli`: serve Apex, administer accounts, and audit a store offline.
@main
struct ApexCLI: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apex-cli",
        abstract: "Apex: the audit-grade event store and API for engineering firms.",
        discussion: "Every command that reads a store takes --store (or APEX_STORE_URL); the default is the embedded sqlite:./apex-data/apex.sqlite.",
        subcommands: [
            ServeCommand.self, AccountCommand.self, TokenCommand.self, EventsCommand.self, ReplayCommand.self, HistoryCommand.self,
            VerifyCommand.self, CheckpointCommand.self, KeysCommand.self, BackupCommand.self, LoadCommand.self, AuditCommand.self, BenchCommand.self,
        ])
}
