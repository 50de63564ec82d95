import ApexDomain
import ApexExport
import ApexStore
import Foundation
import HTTPTypes
import Hummingbird

/// Exports: one project (`GET /v1/projects/{id}/export`: the project, its calculations and its
/// audit trail, as JSON, a CSV of one `kind`, or a workbook of all three) and every project the
/// caller may view (`GET /v1/exports/projects`: NDJSON, CSV or a workbook), streamed from the
/// store in pages (``ProjectExporter``).
struct ExportRoutes {
    let api: ApexAPI

    func register(on router: RouterGroup<ApexRequestContext>) {
        router.get("projects/:id/export") { request, context in try await project(request, context) }
        router.get("exports/projects") { request, context in try await projects(request, context) }
    }

    /// An exporter showing what the caller may see: personal data and actor names for owners and admins.
    func exporter(_ me: Identity) async throws -> ProjectExporter {
        let showPersonal = me.principal.role == .owner || me.principal.role == .admin
        let users = showPersonal ? try await api.directory.state(of: me.principal.accountID).users : nil
        return ProjectExporter(store: api.store, presentation: .api(users: users))
    }

    func project(_ request: Request, _ context: ApexRequestContext) async throws -> Response {
        let me = try context.requireIdentity()
        let format = try Self.format(request, allowed: [.json, .csv, .xlsx], default: .json)
        let kind = try Self.kind(request, format: format)
        let loaded = try await api.authorizedProject(try request.uuidParameter("id", context), .projectView, context)
        let (id, state) = (loaded.id, loaded.state)
        try await api.gate.authorize(me, .calculationView, api.resource(state, id: id), resourceName: "project/\(id.lowercased)", context: context)
        let exporter = try await exporter(me)
        let base = "project-\(id.lowercased)"
        switch format {
        case .json, .ndjson:
            return .export(.json, file: "\(base).json") { sink in try await exporter.writeProjectJSON(state, id: id, to: &sink) }
        case .csv:
            return .export(.csv, file: "\(base)-\(kind.rawValue).csv") { sink in
                try await CSVTableWriter.writing(to: &sink) { try await exporter.writeProject(state, id: id, kind: kind, to: &$0) }
            }
        case .xlsx:
            var workbook = try XLSXWriter()
            try await exporter.writeProjectWorkbook(state, id: id, to: &workbook)
            return try .export(workbook.output, file: "\(base).xlsx")
        }
    }

    func projects(_ request: Request, _ context: ApexRequestContext) async throws -> Response {
        let me = try context.requireIdentity()
        let format = try Self.format(request, allowed: [.ndjson, .csv, .xlsx], default: .ndjson)
        let status = try SearchRoutes.enumValue(request.query("status"), "status", ProjectStatus.self)
        let from = try ProjectListing.date(request.query("from"), "from")
        let to = try ProjectListing.date(request.query("to"), "to")
        let principal = me.principal, now = api.configuration.clock(), api = self.api
        // What `GET /v1/projects` lists: what the policy lets the caller view, not deleted.
        let include: @Sendable (ProjectState) -> Bool = { s in
            guard let id = s.id, !s.deleted, status == nil || s.status == status else { return false }
            if let from, (s.createdAt ?? .distantPast) < from { return false }
            if let to, (s.createdAt ?? .distantPast) >= to { return false }
            return AccessPolicy.decide(principal, .projectView, api.resource(s, id: id), AccessContext(now: now)).isAllowed
        }
        let exporter = try await exporter(me)
        let account = principal.accountID
        let file = "projects-\(Timestamp.format(now).prefix(10)).\(format.fileExtension)"
        switch format {
        case .ndjson, .json:
            return .export(.ndjson, file: file) { sink in try await exporter.writeProjectLines(account: account, where: include, to: &sink) }
        case .csv:
            return .export(.csv, file: file) { sink in
                _ = try await CSVTableWriter.writing(to: &sink) { try await exporter.writeProjects(account: account, where: include, to: &$0) }
            }
        case .xlsx:
            var workbook = try XLSXWriter()
            try await exporter.writeProjects(account: account, where: include, to: &workbook)
            try await workbook.finish()
            return try .export(workbook.output, file: file)
        }
    }

    /// `format`, one of `allowed` (`default` when absent); else 400 `invalid_query`.
    static func format(_ request: Request, allowed: [ExportFormat], default value: ExportFormat) throws -> ExportFormat {
        guard let text = request.query("format") else { return value }
        guard let format = ExportFormat(rawValue: text), allowed.contains(format) else {
            throw APIError.badRequest(
                "format must be one of \(allowed.map(\.rawValue).joined(separator: ", "))", code: "invalid_query", field: "format")
        }
        return format
    }

    /// `kind` of a project's CSV (`audit` when absent); refused with another format, whose file holds every kind.
    static func kind(_ request: Request, format: ExportFormat) throws -> ExportKind {
        guard let text = request.query("kind") else { return .audit }
        guard format == .csv else {
            throw APIError.badRequest("kind applies to format=csv only (JSON and XLSX hold every kind)", code: "invalid_query", field: "kind")
        }
        guard let kind = ExportKind(rawValue: text) else {
            throw APIError.badRequest(
                "kind must be one of \(ExportKind.allCases.map(\.rawValue).joined(separator: ", "))", code: "invalid_query", field: "kind")
        }
        return kind
    }
}
