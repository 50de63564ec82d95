/// The one rule every text a client sends must meet before it is recorded: no control characters.
///
/// Refused: the C0 controls (U+0000-U+001F, NUL included), DEL (U+007F) and the C1 controls
/// (U+0080-U+009F): everything Unicode classes as `Cc`. They are invisible or act on terminals and
/// parsers that show the audit trail later, and NUL is cut short by C tooling. Multi-line text
/// (a description, a reason) keeps tab, line feed and carriage return.
///
/// ```swift
/// try TextRules.check(name, field: "name")                          // single line
/// try TextRules.check(reason, field: "reason", multiline: true)     // tab and line breaks allowed
/// ```
public enum TextRules {
    /// Throws ``DomainError/Code/invalidText`` naming `field` when `text` holds a control character.
    public static func check(_ text: String, field: String, multiline: Bool = false) throws(DomainError) {
        guard let (offset, scalar) = firstControl(in: text, multiline: multiline) else { return }
        let code = "U+" + String(repeating: "0", count: scalar.value < 0x10 ? 3 : 2) + String(scalar.value, radix: 16, uppercase: true)
        let allowed = multiline ? " (tab and line breaks are allowed here)" : ""
        throw DomainError(
            .invalidText, "\(field) must not contain control characters\(allowed); found \(code) at character \(offset + 1)", field: field)
    }

    /// The first refused scalar and its offset in scalars, or nil.
    static func firstControl(in text: String, multiline: Bool) -> (Int, Unicode.Scalar)? {
        for (offset, scalar) in text.unicodeScalars.enumerated() where isRefused(scalar, multiline: multiline) {
            return (offset, scalar)
        }
        return nil
    }

    /// Whether `scalar` is a control character this text may not hold.
    static func isRefused(_ scalar: Unicode.Scalar, multiline: Bool) -> Bool {
        switch scalar.value {
        case 0x09, 0x0A, 0x0D: !multiline
        case 0x00...0x1F, 0x7F...0x9F: true
        default: false
        }
    }
}
