import ApexAudit
import ApexCommandLine
import ApexDomain
import ApexStore
import ArgumentParser
import Foundation
import Logging

extension ReportFormat: ExpressibleByArgument {}

/// `apex-cli audit report`: the project's history for a person to read, with the store's verification.
struct AuditReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report", abstract: "Write an audit report of a project: HTML (printable), JSON (complete) or CSV (one row per event).",
        discussion: """
            The report shows every event (when, who, what, where from, why) with its before/after diff, \
            the PE approvals with license and result hash, each calculation's inputs and outputs, and the \
            result of verifying the whole store. Personal data shows as recorded (opened), or [erased].
            """)

    @Option(help: "The project's id (a UUID, or project-<uuid>).") var project: String
    @Option(help: "html, json or csv.") var format: ReportFormat
    @Option(help: "The file to write (replaced if it exists).") var out: String
    @OptionGroup var store: StoreOption
    @Flag(help: "Print a summary as JSON.") var json = false

    func run() async throws {
        let id = try AuditBundle.projectID(project)
        let settings = Settings()
        let logger = makeLogger(level: .warning)
        let url = try settings.storeURL(store.url)
        let description = (try? StoreURL(url).description) ?? "?"
        let quiet = json
        let start = Date()
        let report = try await EventStores.withExistingStore(url: url, logger: logger) { store in
            try await AuditReport.build(store: store, project: id, storeDescription: description) { checked in
                let rate = Double(checked) / max(Date().timeIntervalSince(start), 0.001)
                Output.progress("verifying the store: \(checked) events (\(Int(rate)) events/s)", quiet: quiet)
            }
        }
        Output.endProgress(quiet: quiet)
        let target = URL(fileURLWithPath: out)
        do {
            try PrivateFiles.write(Data(report.rendered(format)), to: target)
        } catch {
            throw CLIError("cannot write \(target.path): \(error.localizedDescription)")
        }
        if json {
            let summary: JSONValue = [
                "out": .string(target.path), "format": .string(format.rawValue), "events": .number(Double(report.rows.count)),
                "verification": report.verificationJSON,
            ]
            Output.json(summary)
        } else {
            print("wrote \(target.path): \(format.rawValue) report of \(report.stream), \(report.rows.count) events; store \(report.verdict)")
            if let failure = report.verification.firstFailure { print("first failure: \(AuditReport.describe(failure))") }
        }
    }
}
