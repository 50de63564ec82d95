import Foundation

/// The language a request asks for, from its `Accept-Language` header (RFC 9110 §12.5.4),
/// among the locales Apex speaks (``UserPreferences/locales``).
public enum AcceptLanguage {
    /// The supported locale the header ranks highest (`es-MX;q=0.9, en;q=0.5` → `es`), matching
    /// on the primary subtag; `en` when the header is absent, malformed or names none of them.
    /// A range with `q=0` is refused, and `*` stands for English.
    public static func preferredLocale(_ header: String?, supported: Set<String> = UserPreferences.locales) -> String {
        guard let header else { return "en" }
        var best: (locale: String, quality: Double, order: Int)?
        for (order, item) in header.split(separator: ",").prefix(32).enumerated() {
            let parts = item.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            guard let range = parts.first?.lowercased(), !range.isEmpty else { continue }
            var quality = 1.0
            for parameter in parts.dropFirst() where parameter.lowercased().hasPrefix("q=") {
                quality = Double(parameter.dropFirst(2)) ?? 0
            }
            guard quality > 0, quality <= 1 else { continue }
            let primary = range == "*" ? "en" : String(range.split(separator: "-").first ?? "")
            guard supported.contains(primary) else { continue }
            if best == nil || quality > best!.quality { best = (primary, quality, order) }
        }
        return best?.locale ?? "en"
    }
}
