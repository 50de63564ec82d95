public import Foundation
import ZIPFoundation

/// Writes a workbook (`.xlsx`) with one sheet per table, in flat memory.
///
/// Each table's rows go to a worksheet file in a temporary folder as they come (64 KiB
/// buffered); ``finish()`` zips the parts into ``url`` with ZIPFoundation, reading each sheet
/// back in 64 KiB chunks (a ZIP entry's header needs the entry's size, so a sheet is complete
/// before it is zipped). ``output`` then streams the file out; the temporary folder, file
/// included, is removed when the last reference to ``output`` goes away.
///
/// ```swift
/// var xlsx = try XLSXWriter()
/// try await xlsx.begin(ExportTable(name: "Projects", columns: ["name", "created_at"]))
/// try await xlsx.row([.text("Pylon"), .date(Date())])
/// try await xlsx.finish()
/// try await xlsx.output.copy(to: &sink)
/// ```
public final class XLSXWriter: TableWriter {
    /// The workbook's file, complete after ``finish()``.
    public let output: ExportFile
    private var folder: URL { output.folder }
    private var url: URL { output.url }
    private var sheets: [XLSXSheetFile] = []
    private var finished = false

    /// A writer in a new folder under `directory` (the system's temporary folder by default).
    public init(directory: URL = FileManager.default.temporaryDirectory) throws {
        output = try ExportFile(directory: directory, name: "export.xlsx")
    }

    /// Starts a sheet for `table` (its header row in bold), ending the one before.
    public func begin(_ table: ExportTable) async throws {
        try sheets.last?.close()
        sheets.append(try XLSXSheetFile(table: table, url: folder.appendingPathComponent("sheet\(sheets.count + 1).xml")))
    }

    /// Adds a row to the current sheet.
    public func row(_ cells: [ExportCell]) async throws {
        guard let sheet = sheets.last else { preconditionFailure("begin a table before its rows") }
        try sheet.row(cells)
    }

    /// Ends the last sheet and zips the workbook into ``url``.
    public func finish() async throws {
        guard !finished else { return }
        finished = true
        try sheets.last?.close()
        let archive = try Archive(url: url, accessMode: .create)
        func add(_ path: String, _ text: String) throws {
            let data = Data(text.utf8)
            try archive.addEntry(with: path, type: .file, uncompressedSize: Int64(data.count), compressionMethod: .deflate) { position, size in
                data.subdata(in: Int(position)..<Int(position) + size)
            }
        }
        try add("[Content_Types].xml", XLSXParts.contentTypes(sheets: sheets.count))
        try add("_rels/.rels", XLSXParts.packageRelationships)
        try add("xl/workbook.xml", XLSXParts.workbook(names: sheets.map(\.table.name)))
        try add("xl/_rels/workbook.xml.rels", XLSXParts.workbookRelationships(sheets: sheets.count))
        try add("xl/styles.xml", XLSXParts.styles)
        for (i, sheet) in sheets.enumerated() {
            let handle = try FileHandle(forReadingFrom: sheet.url)
            defer { try? handle.close() }
            try archive.addEntry(
                with: "xl/worksheets/sheet\(i + 1).xml", type: .file, uncompressedSize: sheet.size, compressionMethod: .deflate,
                bufferSize: 64 * 1024
            ) { position, size in
                try handle.seek(toOffset: UInt64(position))
                return try handle.read(upToCount: size) ?? Data()
            }
            try FileManager.default.removeItem(at: sheet.url)
        }
    }
}
