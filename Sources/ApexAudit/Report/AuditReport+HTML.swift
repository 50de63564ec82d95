import ApexDomain
import ApexStore
import Foundation
import Mustache

extension AuditReport {
    /// One self-contained HTML page: inline CSS (with print rules), no scripts, no external
    /// resources (a Content-Security-Policy forbids loading any), every recorded text escaped.
    ///
    /// Rendered from the `AuditReport.html.mustache` resource, whose every `{{value}}` is
    /// escaped by ``ReportHTML/Escaping``; the values below are text only, never markup.
    package var html: String { ReportHTML.template.render(ReportHTML.Page(self)) }
}

/// The template of the HTML report and what it renders.
enum ReportHTML {
    /// HTML escaping of every Unicode scalar that could end text or an attribute: `&`, `<`, `>`,
    /// `"` and `'`. Mustache's own HTML escaping looks at whole characters, so a quote followed
    /// by a combining mark (one character, `"\u{301}`) would pass unescaped.
    struct Escaping: MustacheContentType {
        func escapeText(_ text: String) -> String { ReportHTML.escape(text) }
    }

    /// The parsed template, with ``Escaping`` registered under the name its first line selects.
    static let template: MustacheTemplate = {
        MustacheContentTypes.register(Escaping(), named: "APEXHTML")
        guard let url = Bundle.module.url(forResource: "AuditReport.html", withExtension: "mustache"),
            let text = try? String(contentsOf: url, encoding: .utf8)
        else { fatalError("ApexAudit is built without its resource AuditReport.html.mustache") }
        do { return try MustacheTemplate(string: text) } catch { fatalError("AuditReport.html.mustache does not parse: \(error)") }
    }()

    /// Text made safe for HTML content and attribute values.
    static func escape(_ text: String) -> String { HTMLText.escape(text) }
}
