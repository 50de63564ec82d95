import ApexDomain
import Foundation
import Mustache
import Synchronization

/// The email templates: one folder per locale (`en`, `es`), each with
/// `NAME.subject.mustache`, `NAME.text.mustache` and `NAME.html.mustache`, shipped as
/// resources; a folder given as `APEX_TEMPLATES_DIR` overrides them locale by locale.
///
/// Subject and text templates start with `{{% CONTENT_TYPE: TEXT}}`; HTML templates with
/// `{{% CONTENT_TYPE: APEXMAILHTML}}`, which escapes every value (`&`, `<`, `>`, `"`, `'`,
/// scalar by scalar).
public final class MailTemplates: Sendable {
    /// The locales shipped.
    public static let locales = ["en", "es"]
    let directory: String?
    let libraries = Mutex<[String: MustacheLibrary]>([:])

    struct Escaping: MustacheContentType {
        func escapeText(_ text: String) -> String { HTMLText.escape(text) }
    }

    /// Templates from `directory` (per locale), else the shipped ones.
    public init(directory: String? = nil) {
        self.directory = directory
        MustacheContentTypes.register(Escaping(), named: "APEXMAILHTML")
    }

    /// Renders template `name` in `locale` (English when the locale is unknown) with `values`.
    func render(_ name: String, locale: String, values: [String: Any]) async throws -> (subject: String, text: String, html: String) {
        let library = try await library(Self.locales.contains(locale) ? locale : "en")
        func part(_ suffix: String) throws -> String {
            guard let text = library.render(values, withTemplate: "\(name).\(suffix)") else {
                throw MailError(.template, "no template \(name).\(suffix) for \(locale)")
            }
            return text
        }
        return (try part("subject").trimmingCharacters(in: .whitespacesAndNewlines), try part("text"), try part("html"))
    }

    func library(_ locale: String) async throws -> MustacheLibrary {
        if let loaded = libraries.withLock({ $0[locale] }) { return loaded }
        var folder: String?
        if let directory {
            let path = URL(fileURLWithPath: directory).appendingPathComponent(locale).path
            if FileManager.default.fileExists(atPath: path) { folder = path }
        }
        if folder == nil { folder = Bundle.module.url(forResource: locale, withExtension: nil, subdirectory: "Templates")?.path }
        guard let folder else { throw MailError(.template, "no templates for \(locale)") }
        let library: MustacheLibrary
        do { library = try await MustacheLibrary(directory: folder) } catch {
            throw MailError(.template, "the templates in \(folder) do not parse: \(error)")
        }
        libraries.withLock { $0[locale] = library }
        return library
    }
}
