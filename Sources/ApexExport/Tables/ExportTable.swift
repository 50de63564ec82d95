public import Foundation

/// One table of an export: a CSV file, or a sheet of a workbook. Its rows are arrays of
/// ``ExportCell``, one per column, written through a ``TableWriter``.
public struct ExportTable: Sendable, Hashable {
    /// The sheet's name (at most 31 characters, none of `[]:*?/\`): `Projects`, `Calculations`, `Audit`.
    public var name: String
    /// The column headers, the table's first row.
    public var columns: [String]

    /// A table named `name` with these columns.
    public init(name: String, columns: [String]) {
        self.name = name
        self.columns = columns
    }
}

/// A typed value of a table: a spreadsheet shows a number as a number and a date as a date.
public enum ExportCell: Sendable, Hashable {
    /// Text, as it was recorded.
    case text(String)
    /// A number.
    case number(Double)
    /// A moment, in UTC.
    case date(Date)
    /// No value.
    case empty

    /// Text, or empty for nil.
    public static func text(_ value: String?) -> ExportCell { value.map(ExportCell.text) ?? .empty }
    /// A date, or empty for nil.
    public static func date(_ value: Date?) -> ExportCell { value.map(ExportCell.date) ?? .empty }

    /// A number as CSV and XLSX write it: a whole number without a fraction (`3`, not `3.0`),
    /// others as Swift prints them (the shortest text that reads back the same); empty when not finite.
    static func numberText(_ n: Double) -> String {
        if n.isFinite, n == n.rounded(), abs(n) < 1e15 { return String(Int64(n)) }
        return n.isFinite ? "\(n)" : ""
    }
}

/// Where an export's bytes go: an HTTP response body, a file, a counter.
public protocol ExportSink {
    /// Writes the next bytes of the export.
    mutating func write(_ bytes: [UInt8]) async throws
}

/// Writes tables: each ``begin(_:)`` starts a table (its header row), each ``row(_:)`` adds one
/// row to it, and ``finish()`` ends the last. Rows are written as they come, never gathered.
public protocol TableWriter {
    /// Starts `table`, ending the one before.
    mutating func begin(_ table: ExportTable) async throws
    /// Adds a row to the current table (one cell per column).
    mutating func row(_ cells: [ExportCell]) async throws
    /// Ends the last table and writes whatever is buffered.
    mutating func finish() async throws
}
