import ApexDomain
import Foundation

/// One worksheet's XML, written row by row to a temporary file through a 64 KiB buffer, so a
/// sheet of any length costs the same memory. ``XLSXWriter`` zips it once it is complete (the
/// ZIP entry needs its size up front).
final class XLSXSheetFile {
    let table: ExportTable
    let url: URL
    private let handle: FileHandle
    private var buffer: [UInt8] = []
    private var rowNumber = 0
    private(set) var size: Int64 = 0

    init(table: ExportTable, url: URL) throws {
        self.table = table
        self.url = url
        guard FileManager.default.createFile(atPath: url.path, contents: nil) else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: url.path])
        }
        self.handle = try FileHandle(forWritingTo: url)
        buffer.reserveCapacity(70 * 1024)
        append(#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"# + "\n")
        append(#"<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>"#)
        try row(table.columns.map(ExportCell.text), style: XLSXParts.headerStyle)
    }

    deinit { try? handle.close() }

    /// Appends one `<row>`: text as inline strings, numbers as numbers, dates as serial numbers
    /// in the date style.
    func row(_ cells: [ExportCell], style textStyle: Int? = nil) throws {
        rowNumber += 1
        var xml = "<row r=\"\(rowNumber)\">"
        for (index, cell) in cells.enumerated() {
            let ref = Self.column(index) + String(rowNumber)
            switch cell {
            case .text(let text):
                let s = textStyle.map { " s=\"\($0)\"" } ?? ""
                xml += "<c r=\"\(ref)\"\(s) t=\"inlineStr\"><is><t xml:space=\"preserve\">\(Self.escaped(text))</t></is></c>"
            case .number(let n) where n.isFinite:
                xml += "<c r=\"\(ref)\"><v>\(ExportCell.numberText(n))</v></c>"
            case .date(let d):
                xml += "<c r=\"\(ref)\" s=\"\(XLSXParts.dateStyle)\"><v>\(Self.serial(d))</v></c>"
            case .number, .empty:
                continue
            }
        }
        append(xml + "</row>")
        if buffer.count >= 64 * 1024 { try flush() }
    }

    /// Ends the sheet and closes the file.
    func close() throws {
        append("</sheetData></worksheet>")
        try flush()
        try handle.close()
    }

    private func append(_ text: String) { buffer.append(contentsOf: text.utf8) }

    private func flush() throws {
        guard !buffer.isEmpty else { return }
        try handle.write(contentsOf: buffer)
        size += Int64(buffer.count)
        buffer.removeAll(keepingCapacity: true)
    }

    /// `A`, `B`, … `Z`, `AA`, … for a zero-based column index.
    static func column(_ index: Int) -> String {
        var n = index + 1
        var letters: [Character] = []
        while n > 0 {
            let r = (n - 1) % 26
            letters.insert(Character(UnicodeScalar(UInt8(65 + r))), at: 0)
            n = (n - 1) / 26
        }
        return String(letters)
    }

    /// Days since 1899-12-30 (the 1900 date system's day 0 as spreadsheets count it), with the
    /// time as the fraction, to the millisecond.
    static func serial(_ date: Date) -> String {
        let days = date.timeIntervalSince1970 / 86_400 + 25_569
        return String(format: "%.8f", days)
    }

    /// The most characters a spreadsheet cell holds; longer text is cut, ending in `…`.
    static let cellLimit = 32_767

    /// Text as XML character data: escaped as HTML text is (`&`, `<`, `>`, quotes), and the
    /// characters XML 1.0 cannot carry (C0 controls other than tab, line feed and carriage
    /// return; U+FFFE, U+FFFF) replaced by U+FFFD; cut to ``cellLimit`` characters.
    static func escaped(_ text: String) -> String {
        let text = text.count > cellLimit ? String(text.prefix(cellLimit - 1)) + "…" : text
        return HTMLText.escape(text, replacing: notXML)
    }

    /// The scalars XML 1.0 cannot carry, each as U+FFFD.
    static let notXML: [Unicode.Scalar: String] = Dictionary(
        uniqueKeysWithValues: ((0..<0x20).filter { ![0x09, 0x0A, 0x0D].contains($0) } + [0xFFFE, 0xFFFF]).map { (Unicode.Scalar($0)!, "\u{FFFD}") })
}
