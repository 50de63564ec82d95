import ApexAudit
import ApexCommandLine
import ApexDomain
import ApexExport
import ApexServer
import ApexStore
public import ArgumentParser
import Foundation

extension ExportFormat: ExpressibleByArgument {}
extension ExportKind: ExpressibleByArgument {}

/// `apex-cli export`: what the export routes serve, offline, from a store or a restored backup.
struct ExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export", abstract: "Export projects as JSON, NDJSON, CSV or XLSX, offline from a store or a restored backup.",
        discussion: """
            Writes what GET /v1/projects/{id}/export and GET /v1/exports/projects serve, as the operator \
            sees it: personal data as recorded (opened), or [erased]. Progress is shown on a terminal; \
            --json prints a summary instead.
            """,
        subcommands: [ExportProjectCommand.self, ExportProjectsCommand.self])
}

/// `apex-cli export project ID`: one project, its calculations and its audit trail.
struct ExportProjectCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "project", abstract: "One project: json (everything), csv (one --kind) or xlsx (a sheet per kind).")

    @Argument(help: "The project's id (a UUID, or project-<uuid>).") var project: String
    @Option(help: "json, csv or xlsx.") var format: ExportFormat = .json
    @Option(help: "With --format csv: projects, calculations or audit.") var kind: ExportKind = .audit
    @Option(help: "The file to write (replaced if it exists).") var out: String
    @OptionGroup var store: StoreOption
    @Flag(help: "Print a summary as JSON (no progress).") var json = false

    func run() async throws {
        guard format != .ndjson else { throw CLIError(.invalidArgument, "--format for one project is json, csv or xlsx") }
        let id = try AuditBundle.projectID(project)
        let (format, kind, quiet) = (self.format, self.kind, json)
        let rows = try await ExportRun.run(store: store.url, out: out, quiet: quiet) { store, users, file in
            let state = try await store.foldStream(.project(id), into: ProjectState()) { state, page in try state.apply(contentsOf: page) }
            guard state.exists else { throw CLIError(.projectNotFound, "no project \(id.lowercased) in this store") }
            let exporter = ProjectExporter(store: store, presentation: .api(users: try await users(state.accountID!)))
            switch format {
            case .json, .ndjson: try await exporter.writeProjectJSON(state, id: id, to: &file)
            case .csv:
                try await CSVTableWriter.writing(to: &file) { try await exporter.writeProject(state, id: id, kind: kind, to: &$0) }
            case .xlsx:
                let workbook = try XLSXWriter()
                var writer = workbook
                try await exporter.writeProjectWorkbook(state, id: id, to: &writer)
                try await workbook.output.copy(to: &file)
            }
            return state.version
        }
        ExportRun.report(out: out, format: format, what: "project \(id.lowercased), \(rows) events", count: rows, quiet: quiet)
    }
}

/// `apex-cli export projects --account ID`: every project of an account.
struct ExportProjectsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "projects", abstract: "Every project of an account: ndjson, csv or xlsx (deleted projects left out).")

    @Option(help: "The account's id.") var account: String
    @Option(help: "ndjson, csv or xlsx.") var format: ExportFormat = .ndjson
    @Option(help: "Only projects in this status.") var status: String?
    @Option(help: "Only projects created at or after this date or time (ISO 8601).") var from: String?
    @Option(help: "Only projects created before this date or time (ISO 8601).") var to: String?
    @Option(help: "The file to write (replaced if it exists).") var out: String
    @OptionGroup var store: StoreOption
    @Flag(help: "Print a summary as JSON (no progress).") var json = false

    func run() async throws {
        guard format != .json else { throw CLIError(.invalidArgument, "--format for projects is ndjson, csv or xlsx") }
        guard let accountID = UUID(uuidString: account) else { throw CLIError(.invalidArgument, "--account must be an account id (a UUID)") }
        let status = try self.status.map { text in
            guard let s = ProjectStatus(rawValue: text) else {
                throw CLIError(.invalidArgument, "--status must be one of \(ProjectStatus.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            return s
        }
        func date(_ text: String?, _ name: String) throws -> Date? {
            guard let text else { return nil }
            guard let d = Timestamp.parse(text) else { throw CLIError(.invalidArgument, "--\(name) must be an ISO 8601 date or timestamp") }
            return d
        }
        let (from, to, format, quiet) = (try date(self.from, "from"), try date(self.to, "to"), self.format, json)
        let include: @Sendable (ProjectState) -> Bool = { s in
            guard !s.deleted, status == nil || s.status == status else { return false }
            if let from, (s.createdAt ?? .distantPast) < from { return false }
            if let to, (s.createdAt ?? .distantPast) >= to { return false }
            return true
        }
        let count = try await ExportRun.run(store: store.url, out: out, quiet: quiet) { store, users, file in
            let exporter = ProjectExporter(store: store, presentation: .api(users: try await users(accountID)))
            let n: Int
            switch format {
            case .ndjson, .json: n = try await exporter.writeProjectLines(account: accountID, where: include, to: &file)
            case .csv:
                n = try await CSVTableWriter.writing(to: &file) { try await exporter.writeProjects(account: accountID, where: include, to: &$0) }
            case .xlsx:
                let workbook = try XLSXWriter()
                var writer = workbook
                n = try await exporter.writeProjects(account: accountID, where: include, to: &writer)
                try await workbook.finish()
                try await workbook.output.copy(to: &file)
            }
            return Int64(n)
        }
        ExportRun.report(out: out, format: format, what: "\(count) projects of account \(accountID.lowercased)", count: count, quiet: quiet)
    }
}
