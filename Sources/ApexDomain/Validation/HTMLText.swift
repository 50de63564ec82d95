/// Text made safe for HTML content and attribute values, for the modules that write HTML
/// (ApexAudit's report, ApexSearch's snippets).
package enum HTMLText {
    /// `text` with `&`, `<`, `>`, `"` and `'` escaped, and each scalar of `replacing` written as
    /// its markup (for markers put in the text to stand for tags, e.g. `\u{2}` for `<mark>`).
    package static func escape(_ text: String, replacing markers: [Unicode.Scalar: String] = [:]) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default:
                if let markup = markers[scalar] { out += markup } else { out.unicodeScalars.append(scalar) }
            }
        }
        return out
    }
}
