public import ApexDomain
import ApexStore
public import Foundation

extension ProjectExporter {
    /// Calls `body` with each audit entry of project `id` through `version`, replayed a page of
    /// events at a time (read opened: personal data as plaintext or `[erased]`, for the
    /// presentation to show or hide), presented as the API presents it.
    public func forEachAuditEntry(project id: UUID, through version: Int64, _ body: (JSONValue) async throws -> Void) async throws {
        var state = ProjectState()
        try await forEachPage(project: id, through: version, mode: .opened) { page in
            for entry in try ProjectHistory.auditTrail(of: page, continuing: &state) { try await body(presentation.entry(entry)) }
        }
    }

    /// When each approval of project `id` (through `version`) was recorded, by calculation and
    /// revision; read a page at a time, and only when `state` holds an approval.
    public func approvalTimes(of state: ProjectState, project id: UUID, through version: Int64) async throws -> [ApprovalKey: Date] {
        guard state.calculations.values.contains(where: { !$0.approvals.isEmpty }) else { return [:] }
        var times: [ApprovalKey: Date] = [:]
        try await forEachPage(project: id, through: version, mode: .stored) { page in
            for event in page where event.type == CalculationApproved.type {
                let approval = try event.payload(as: CalculationApproved.self)
                times[ApprovalKey(calculation: approval.calculationID, revision: approval.revision)] = event.recordedAt
            }
        }
        return times
    }

    /// Project `id`'s events from version 1 through `version`, a page at a time, until a page is short.
    func forEachPage(project id: UUID, through version: Int64, mode: ReadMode, _ body: ([EventEnvelope]) async throws -> Void) async throws {
        var from: Int64 = 1
        while from <= version {
            let limit = Int(min(Int64(pageSize), version - from + 1))
            let page = try await store.readStream(.project(id), from: from, limit: limit, mode: mode)
            try await body(page)
            guard let last = page.last, page.count == limit else { return }
            from = last.version + 1
        }
    }

    /// Every revision of every calculation in `state`, by calculation id then revision.
    static func revisions(_ state: ProjectState) -> [(CalculationRecord, Int)] {
        state.calculations.valuesInIDOrder.flatMap { record in (1...max(1, record.latestRevision)).map { (record, $0) } }
            .filter { $0.1 <= $0.0.revisions.count }
    }

    /// One table of project `state` (`id`): the project row, its calculations, or its audit trail.
    public func writeProject(_ state: ProjectState, id: UUID, kind: ExportKind, to writer: inout some TableWriter) async throws {
        try await writer.begin(ExportTables.table(kind))
        switch kind {
        case .projects:
            try await writer.row(ExportTables.projectRow(state))
        case .calculations:
            let times = try await approvalTimes(of: state, project: id, through: state.version)
            for (record, revision) in Self.revisions(state) {
                let at = times[ApprovalKey(calculation: record.id, revision: revision)]
                try await writer.row(ExportTables.calculationRow(record, revision: revision, approvedAt: at))
            }
        case .audit:
            var rows = writer
            try await forEachAuditEntry(project: id, through: state.version) { try await rows.row(ExportTables.auditRow($0)) }
            writer = rows
        }
    }

    /// A workbook of project `state` (`id`): sheets `Projects` (one row), `Calculations` and `Audit`.
    public func writeProjectWorkbook(_ state: ProjectState, id: UUID, to writer: inout some TableWriter) async throws {
        for kind in ExportKind.allCases { try await writeProject(state, id: id, kind: kind, to: &writer) }
        try await writer.finish()
    }

    /// The project as one JSON document, `{"audit": [...], "calculations": [...], "project": {...}}`
    /// (keys in canonical order), the audit trail written entry by entry as it is replayed.
    public func writeProjectJSON(_ state: ProjectState, id: UUID, to sink: inout some ExportSink) async throws {
        var out = LineBuffer(sink: sink)
        try await out.append(Array(#"{"audit":["#.utf8))
        var first = true
        try await forEachAuditEntry(project: id, through: state.version) { entry in
            try await out.append((first ? [] : [UInt8(ascii: ",")]) + CanonicalJSON.bytes(entry))
            first = false
        }
        let times = try await approvalTimes(of: state, project: id, through: state.version)
        let calculations = Self.revisions(state).map { record, revision in
            presentation.calculation(record, revision, times[ApprovalKey(calculation: record.id, revision: revision)])
        }
        try await out.append(Array(#"],"calculations":"#.utf8) + CanonicalJSON.bytes(.array(calculations)))
        try await out.append(Array(#","project":"#.utf8) + CanonicalJSON.bytes(presentation.project(state)) + Array("}\n".utf8))
        try await out.flush()
        sink = out.sink
    }
}

/// A calculation revision, naming its approval.
public struct ApprovalKey: Sendable, Hashable {
    /// The calculation.
    public var calculation: UUID
    /// The revision approved.
    public var revision: Int

    /// The approval of `revision` of `calculation`.
    public init(calculation: UUID, revision: Int) {
        self.calculation = calculation
        self.revision = revision
    }
}
