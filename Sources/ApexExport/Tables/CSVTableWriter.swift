import ApexAudit
import ApexDomain
import Foundation

/// Writes one table as CSV (RFC 4180, CRLF line ends) to a sink, in chunks of about 64 KiB.
///
/// Text goes through Apex's one CSV writer (`CSV.cell`): quoted where it must be, and a cell
/// that a spreadsheet would run as a formula (`=`, `+`, `-`, `@` first) gets a leading `'`.
/// Numbers are written as they are (a negative number stays a number), dates in ISO 8601 UTC
/// (`2026-01-27T10:00:00.000000Z`, as the API writes them), empty cells as nothing. A second ``begin(_:)`` is refused: a CSV
/// file holds one table.
public struct CSVTableWriter<Sink: ExportSink>: TableWriter {
    /// Where the bytes go.
    public var sink: Sink
    private var buffer: [UInt8] = []
    private var begun = false

    /// A writer into `sink`.
    public init(sink: Sink) {
        self.sink = sink
        buffer.reserveCapacity(Self.chunk + 4096)
    }

    static var chunk: Int { 64 * 1024 }

    /// Runs `body` with a writer into `sink`, then writes what it buffered and hands `sink` back.
    public static func writing<T>(to sink: inout Sink, _ body: (inout CSVTableWriter<Sink>) async throws -> T) async throws -> T {
        var writer = CSVTableWriter(sink: sink)
        let result = try await body(&writer)
        try await writer.finish()
        sink = writer.sink
        return result
    }

    /// Writes the header row.
    public mutating func begin(_ table: ExportTable) async throws {
        precondition(!begun, "a CSV file holds one table")
        begun = true
        buffer.append(contentsOf: CSV.row(table.columns).utf8)
    }

    /// Writes one row.
    public mutating func row(_ cells: [ExportCell]) async throws {
        buffer.append(contentsOf: Self.line(cells).utf8)
        if buffer.count >= Self.chunk { try await flush() }
    }

    /// Writes what is buffered.
    public mutating func finish() async throws { try await flush() }

    private mutating func flush() async throws {
        guard !buffer.isEmpty else { return }
        try await sink.write(buffer)
        buffer.removeAll(keepingCapacity: true)
    }

    /// One CSV record.
    static func line(_ cells: [ExportCell]) -> String {
        cells.map { cell -> String in
            switch cell {
            case .text(let text): CSV.cell(text)
            case .number(let n): ExportCell.numberText(n)
            case .date(let d): Timestamp.format(d)
            case .empty: ""
            }
        }.joined(separator: ",") + "\r\n"
    }
}
