import ApexDomain
import ApexExport
import ApexServer
import ApexStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// Exports through the real router on both stores, read back by Python (`csv`, `openpyxl`).
@Suite struct ExportTests {
    @Test(arguments: StoreKind.allCases)
    func aProjectsWorkbookOpensInOpenpyxlWithTypedCells(_ kind: StoreKind) async throws {
        try await World.with(kind) { world in
            let id = world.project("approved")
            let reply = try await world.test { try await $0.download("/v1/projects/\(id.lowercased)/export?format=xlsx", as: world.token("owner")) }
            #expect(reply.status == .ok)
            #expect(reply.headers[.contentType] == ExportFormat.xlsx.mediaType)
            #expect(reply.headers[.contentDisposition]?.hasPrefix("attachment; filename=\"project-\(id.lowercased).xlsx\"") == true)
            let book = try await PythonReader.workbook(reply.bytes)
            #expect(book.names == ["Projects", "Calculations", "Audit"])
            let version = try await world.projectVersion(id)
            let projects = try #require(book.sheets["Projects"]), audit = try #require(book.sheets["Audit"])
            let calculations = try #require(book.sheets["Calculations"])
            #expect(projects.count == 2)
            #expect(projects[0].map(\.value).prefix(3) == ["id", "name", "description"])
            #expect(projects[1][1] == .init(type: "str", value: "Pylon approved"))
            #expect(projects[1][10] == .init(type: "int", value: "\(version)"), "version is a number cell")
            #expect(projects[1][11].type == "datetime", "created_at is a date cell")
            #expect(audit.count == Int(version) + 1, "a header and one row per event")
            #expect(audit[1][0].type == "int" && audit[1][1] == .init(type: "int", value: "1"))
            #expect(audit[1][2] == .init(type: "str", value: "project.created"))
            #expect(audit.dropFirst().allSatisfy { $0[3].type == "datetime" }, "recorded_at is a date cell")
            #expect(calculations.count == 3, "two calculations of one revision each")
            let approved = try #require(calculations.dropFirst().first { $0[0].value == world.firstCalcs["approved"]!.lowercased })
            #expect(approved[1] == .init(type: "int", value: "1"))
            #expect(!approved[6].value.isEmpty, "approved_by")
            #expect(approved[7].type == "datetime", "approved_at is a date cell")
        }
    }

    @Test(arguments: StoreKind.allCases)
    func aProjectsCSVRoundTripsThroughPythonsCSV(_ kind: StoreKind) async throws {
        try await World.with(kind) { world in
            let id = world.project("draft")
            let name = #"Pylon, "North" & <Co>"#
            let agent: HTTPFields = [.userAgent: "Export-Test/1.0"]
            let (patch, audit, projects, engineers) = try await world.test { client in
                let patch = try await client.call(
                    .patch, "/v1/projects/\(id.lowercased)", as: world.token("owner"), json: ["name": .string(name), "description": "-2 ft\nsecond line"],
                    headers: agent)
                return (
                    patch,
                    try await client.download("/v1/projects/\(id.lowercased)/export?format=csv", as: world.token("owner")),
                    try await client.download("/v1/projects/\(id.lowercased)/export?format=csv&kind=projects", as: world.token("owner")),
                    try await client.download("/v1/projects/\(id.lowercased)/export?format=csv", as: world.token("engineer"))
                )
            }
            #expect(patch.code == 200, "\(patch.text)")
            #expect(audit.status == .ok && audit.headers[.contentType] == "text/csv; charset=utf-8")
            #expect(audit.headers[.contentDisposition]?.contains("project-\(id.lowercased)-audit.csv") == true)
            let trail = try await PythonReader.csv(audit.bytes)
            let version = try await world.projectVersion(id)
            #expect(trail.count == Int(version) + 1)
            #expect(trail.first?.prefix(4) == ["position", "version", "type", "recorded_at"])
            #expect(trail.last?[2] == "project.updated")
            #expect(trail.last?[13] == "description, name", "the changed fields")
            // The history API's redaction: owners see who and from where, an engineer sees neither.
            #expect(trail.last?[5].isEmpty == false && trail.last?[9] == "Export-Test/1.0", "owner: actor name and user agent")
            let theirs = try await PythonReader.csv(engineers.bytes)
            #expect(theirs.count == trail.count && theirs.last?[4] == trail.last?[4], "the same events")
            #expect(theirs.last?[5] == "" && theirs.last?[6] == "" && theirs.last?[9] == "", "engineer: no name, email or user agent")
            let rows = try await PythonReader.csv(projects.bytes)
            #expect(rows.count == 2)
            #expect(rows[1][1] == name, "quotes and commas survive")
            #expect(rows[1][2] == "'-2 ft\nsecond line", "a cell a spreadsheet would run as a formula is neutralised, line breaks kept")
            #expect(rows[1][10] == "\(version)")
        }
    }

    @Test(arguments: StoreKind.allCases)
    func theBulkExportHoldsWhatEachRoleMayView(_ kind: StoreKind) async throws {
        try await World.with(kind) { world in
            func ids(_ download: Download) -> Set<String> {
                Set(String(decoding: download.bytes, as: UTF8.self).split(separator: "\n").compactMap { line in
                    (try? JSONValue.parse(String(line)))?["id"]?.stringValue
                })
            }
            let (owner, fabricator, client, approvedOnly, xlsx, csv) = try await world.test { c in
                (
                    try await c.download("/v1/exports/projects", as: world.token("owner")),
                    try await c.download("/v1/exports/projects?format=ndjson", as: world.token("fabricator")),
                    try await c.download("/v1/exports/projects?format=ndjson", as: world.token("client")),
                    try await c.download("/v1/exports/projects?status=approved", as: world.token("owner")),
                    try await c.download("/v1/exports/projects?format=xlsx", as: world.token("engineer")),
                    try await c.download("/v1/exports/projects?format=csv&from=2000-01-01&to=2000-01-02", as: world.token("owner"))
                )
            }
            #expect(owner.status == .ok && owner.headers[.contentType] == "application/x-ndjson")
            #expect(ids(owner) == Set(["draft", "approved", "own"].map { world.project($0).lowercased }), "every live project, not the deleted one")
            #expect(ids(fabricator) == [world.project("approved").lowercased], "fabricators: approved only")
            #expect(ids(client) == [world.project("own").lowercased], "clients: their own only")
            #expect(ids(approvedOnly) == [world.project("approved").lowercased])
            let book = try await PythonReader.workbook(xlsx.bytes)
            #expect(book.names == ["Projects"])
            #expect(book.sheets["Projects"]?.count == 4)
            #expect(book.sheets["Projects"]?.dropFirst().allSatisfy { $0[11].type == "datetime" && $0[10].type == "int" } == true)
            #expect(try await PythonReader.csv(csv.bytes) == [ExportTablesProbe.projectColumns], "nothing created in that range: the header alone")
        }
    }

    @Test(arguments: StoreKind.allCases)
    func theExporterPagesThroughTheReadModel(_ kind: StoreKind) async throws {
        try await World.with(kind) { world in
            let exporter = ProjectExporter(store: world.store, presentation: .init(project: { _ in .null }, calculation: { _, _, _ in .null }, entry: { _ in .null }), pageSize: 1)
            var seen: [UUID] = []
            let count = try await exporter.forEachProject(account: world.account, where: { _ in true }) { seen.append($0.id!) }
            #expect(count == 4 && Set(seen) == Set(["draft", "approved", "own", "deleted"].map(world.project)))
            #expect(seen.map(\.lowercased) == seen.map(\.lowercased).sorted(), "in key order")
        }
    }

    @Test(arguments: StoreKind.allCases)
    func badParametersAreProblemsAndAnotherAccountsProjectIsNotFound(_ kind: StoreKind) async throws {
        try await World.with(kind) { world in
            let rival = try await world.otherAccount()
            let id = world.project("draft").lowercased
            let replies = try await world.test { c in
                [
                    try await c.call(.get, "/v1/projects/\(id)/export?format=pdf", as: world.token("owner")),
                    try await c.call(.get, "/v1/projects/\(id)/export?format=ndjson", as: world.token("owner")),
                    try await c.call(.get, "/v1/projects/\(id)/export?format=csv&kind=users", as: world.token("owner")),
                    try await c.call(.get, "/v1/projects/\(id)/export?format=xlsx&kind=audit", as: world.token("owner")),
                    try await c.call(.get, "/v1/exports/projects?format=json", as: world.token("owner")),
                    try await c.call(.get, "/v1/exports/projects?status=done", as: world.token("owner")),
                    try await c.call(.get, "/v1/exports/projects?from=yesterday", as: world.token("owner")),
                    try await c.call(.get, "/v1/projects/\(rival.project.lowercased)/export?format=csv", as: world.token("owner")),
                    try await c.call(.get, "/v1/projects/\(world.project("draft").lowercased)/export", as: world.token("fabricator")),
                ]
            }
            for (reply, field) in zip(replies.prefix(7), ["format", "format", "kind", "kind", "format", "status", "from"]) {
                expectProblem(reply, 400, "invalid_query", field: field)
            }
            expectProblem(replies[7], 404, "not_found")
            #expect(replies[8].code == 404 || replies[8].code == 403, "a fabricator does not see a draft: \(replies[8].text)")
        }
    }
}

/// The bulk export's CSV header, as a spreadsheet user sees it.
enum ExportTablesProbe {
    static let projectColumns = [
        "id", "name", "description", "status", "client_id", "tags", "site_address", "site_city", "site_state", "site_country",
        "version", "created_at", "created_by", "updated_at", "updated_by", "deleted",
    ]
}
