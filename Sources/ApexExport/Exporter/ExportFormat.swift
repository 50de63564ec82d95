/// The file formats of an export.
public enum ExportFormat: String, Sendable, CaseIterable {
    /// One JSON document (a project's export).
    case json
    /// One JSON object per line (a bulk export of projects).
    case ndjson
    /// RFC 4180 CSV: one table.
    case csv
    /// An Office Open XML workbook: one sheet per table, typed cells.
    case xlsx

    /// The media type of a file in this format.
    public var mediaType: String {
        switch self {
        case .json: "application/json"
        case .ndjson: "application/x-ndjson"
        case .csv: "text/csv; charset=utf-8"
        case .xlsx: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        }
    }

    /// The file-name extension.
    public var fileExtension: String { rawValue }
}

/// The tables of a project's export: a CSV holds one of them (`kind`), a workbook all three.
public enum ExportKind: String, Sendable, CaseIterable {
    /// The project itself, one row.
    case projects
    /// Every revision of every calculation, with its approval.
    case calculations
    /// The audit trail: every event with its before, after and diff.
    case audit
}
