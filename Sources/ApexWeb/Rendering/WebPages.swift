import ApexDomain
public import Foundation
import Mustache

/// The web pages' templates and texts: one set of `NAME.mustache` templates shipped as
/// resources (`Templates/`), and one table of texts per locale (`Locales/en.json`,
/// `Locales/es.json`) handed to every page as `t`, so a page reads `{{t.history}}`. The
/// structure of a page is written once; only its words differ between languages.
///
/// Every value is escaped for HTML (`&`, `<`, `>`, `"`, `'`), in text and attributes alike.
public final class WebPages: Sendable {
    /// The locales shipped.
    public static let locales = ["en", "es"]
    let library: MustacheLibrary
    let texts: [String: [String: String]]
    let assets: [String: Data]

    struct Escaping: MustacheContentType {
        func escapeText(_ text: String) -> String { HTMLText.escape(text) }
    }

    private init(library: MustacheLibrary, texts: [String: [String: String]], assets: [String: Data]) {
        self.library = library
        self.texts = texts
        self.assets = assets
    }

    /// Loads the shipped templates, texts and assets; throws ``WebError`` when one is missing or
    /// does not parse.
    public static func load() async throws -> WebPages {
        MustacheContentTypes.register(Escaping(), named: "APEXWEBHTML")
        guard let templates = Bundle.module.url(forResource: "Templates", withExtension: nil)?.path,
            let localeFolder = Bundle.module.url(forResource: "Locales", withExtension: nil),
            let assetFolder = Bundle.module.url(forResource: "Assets", withExtension: nil)
        else { throw WebError(.template, "the web resources are missing from the bundle") }
        let library: MustacheLibrary
        do { library = try await MustacheLibrary(directory: templates) } catch {
            throw WebError(.template, "the web templates do not parse: \(error)")
        }
        var texts: [String: [String: String]] = [:]
        for locale in locales {
            let data = try Data(contentsOf: localeFolder.appendingPathComponent("\(locale).json"))
            guard let table = try JSONSerialization.jsonObject(with: data) as? [String: String] else {
                throw WebError(.template, "Locales/\(locale).json is not an object of strings")
            }
            texts[locale] = table
        }
        var assets: [String: Data] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: assetFolder.path) {
            assets[name] = try Data(contentsOf: assetFolder.appendingPathComponent(name))
        }
        return WebPages(library: library, texts: texts, assets: assets)
    }

    /// `template` rendered in `locale` (English when unknown) with `values` and the texts as `t`.
    public func render(_ template: String, locale: String, values: [String: Any]) throws -> String {
        var context = values
        context["t"] = texts[Self.locales.contains(locale) ? locale : "en"] ?? [:]
        context["lang"] = Self.locales.contains(locale) ? locale : "en"
        guard let html = library.render(context, withTemplate: template) else {
            throw WebError(.template, "no web template \(template)")
        }
        return html
    }

    /// The text `key` in `locale` (English when unknown, the key itself when missing).
    public func text(_ key: String, locale: String) -> String {
        texts[locale]?[key] ?? texts["en"]?[key] ?? key
    }

    /// A shipped asset (`app.js`, `app.css`) by file name, with its media type; nil when none.
    public func asset(_ name: String) -> (data: Data, mediaType: String)? {
        guard let data = assets[name] else { return nil }
        let type = name.hasSuffix(".js") ? "text/javascript; charset=utf-8" : name.hasSuffix(".css") ? "text/css; charset=utf-8" : "application/octet-stream"
        return (data, type)
    }
}
