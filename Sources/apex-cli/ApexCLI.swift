import ApexAudit
import ApexCommandLine
import ApexDomain
import ApexStore
import ArgumentParser

/// `apex-cli`: serve Apex, administer accounts, and audit a store offline.
@main
struct ApexCLI: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apex-cli",
        abstract: "Apex: the audit-grade event store and API for engineering firms.",
        discussion: """
            Every command that reads a store takes --store (or APEX_STORE_URL); the default is the embedded \
            sqlite:./apex-data/apex.sqlite. Commands that only read a store never create one, nor a signing key.
            """,
        subcommands: [
            ServeCommand.self, AccountCommand.self, TokenCommand.self, EventsCommand.self, ReplayCommand.self, HistoryCommand.self,
            VerifyCommand.self, CheckpointCommand.self, KeysCommand.self, BackupCommand.self, AuditCommand.self, SnapshotsCommand.self,
            ConsumersCommand.self, ProjectionsCommand.self, WebhooksCommand.self, NotifyCommand.self,
            GDPRCommand.self, RetentionCommand.self, ExportCommand.self, AdminCommand.self,
        ])

    /// ArgumentParser's `main`, and for a command run with `--json` that fails with a coded
    /// error, that error as JSON on standard output (`{"error": {"code", "message"}}`) besides
    /// the usual line on standard error.
    static func main() async {
        do {
            var command = try await asyncParseAsRoot(nil)
            do {
                if var asyncCommand = command as? any AsyncParsableCommand { try await asyncCommand.run() } else { try command.run() }
            } catch {
                if (command as? any JSONOutputCommand)?.json == true, let json = Self.json(of: error) { Output.json(json) }
                throw error
            }
        } catch {
            exit(withError: error)
        }
    }

    /// A coded error as `{"error": {"code", "message"}}`; nil for any other error.
    static func json(of error: any Error) -> JSONValue? {
        switch error {
        case let e as CLIError: e.json
        case let e as EventStoreError: CLIError.json(code: e.code.description, message: e.message)
        case let e as AuditError: CLIError.json(code: e.code.description, message: e.message)
        default: nil
        }
    }
}

/// A command with a `--json` flag: its coded errors are printed as JSON too (``ApexCLI/main()``).
protocol JSONOutputCommand {
    var json: Bool { get }
}

extension AccountCommand.Create: JSONOutputCommand {}
extension AuditBundleCommand: JSONOutputCommand {}
extension AuditReportCommand: JSONOutputCommand {}
extension BackupCommand.Create: JSONOutputCommand {}
extension BackupCommand.Ship: JSONOutputCommand {}
extension BackupCommand.Restore: JSONOutputCommand {}
extension BackupCommand.Verify: JSONOutputCommand {}
extension BackupCommand.Prune: JSONOutputCommand {}
extension CheckpointCommand: JSONOutputCommand {}
extension ConsumersCommand: JSONOutputCommand {}
extension ProjectionsCommand.Rebuild: JSONOutputCommand {}
extension KeysCommand: JSONOutputCommand {}
extension EventsCommand: JSONOutputCommand {}
extension HistoryCommand: JSONOutputCommand {}
extension ReplayCommand: JSONOutputCommand {}
extension TokenCommand.Issue: JSONOutputCommand {}
extension GDPRCommand.Erase: JSONOutputCommand {}
extension RetentionCommand.Run: JSONOutputCommand {}
