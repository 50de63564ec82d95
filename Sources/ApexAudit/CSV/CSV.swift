import Foundation

/// The one CSV writer of Apex (RFC 4180), safe to open in a spreadsheet.
///
/// Recorded text is attacker-controlled (a `User-Agent`, an `X-Forwarded-For`, a reason), and a
/// spreadsheet runs a cell that starts with `=`, `+`, `-` or `@` (or a tab or carriage return
/// before one) as a formula: CSV injection. Such a cell is written with a leading `'`, as OWASP
/// recommends, so it shows as the text it is.
///
/// ```swift
/// CSV.row(["1", "=HYPERLINK(\"http://x\")", "a,b"])  // 1,'=HYPERLINK("http://x"),"a,b"\r\n
/// ```
package enum CSV {
    /// The characters that make a spreadsheet read a cell as a formula when they come first.
    static let formulaStarts: Set<Character> = ["=", "+", "-", "@", "\t", "\r"]

    /// One field: neutralised when it could start a formula, then quoted when it holds a comma,
    /// quote or line break (quotes doubled).
    package static func cell(_ text: String) -> String {
        var text = text
        if let first = text.unicodeScalars.first, formulaStarts.contains(Character(first)) { text = "'" + text }
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\r" || $0 == "\n" || $0 == "\r\n" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// One record: the cells joined by commas, ended by CRLF.
    package static func row(_ cells: [String]) -> String {
        cells.map(cell).joined(separator: ",") + "\r\n"
    }
}
