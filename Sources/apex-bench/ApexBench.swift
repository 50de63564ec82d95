import ArgumentParser

/// `apex-bench`: Apex measured against the raw databases it runs on, and the synthetic load that
/// durability drills kill. Not shipped: `apex-cli` holds what users run.
@main
struct ApexBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apex-bench",
        abstract: "Benchmark Apex against plain SQL on the same database (docs/performance.md).",
        subcommands: [BenchCommand.self, LoadCommand.self, ServeCommand.self],
        defaultSubcommand: BenchCommand.self)
}
