import ApexDomain
import ApexWeb
import Foundation
import Logging
import HTTPTypes
import Hummingbird
import NIOCore

/// What every page needs about the request: its language (the signed-in user's preference when
/// they set one, else `Accept-Language`), who is signed in, their CSRF token; and the rendering
/// of a template into an HTML response.
struct WebView {
    let api: ApexAPI
    let request: Request
    let context: ApexRequestContext

    /// `en` or `es`.
    var locale: String {
        if let user = context.identity?.user, user.preferences != UserPreferences() { return user.preferences.locale }
        return AcceptLanguage.preferredLocale(request.headers[.acceptLanguage])
    }

    /// The text `key` in the page's language.
    func text(_ key: String) -> String { api.webPages.text(key, locale: locale) }

    /// The CSRF token of the caller's session ("" for a bearer token, which needs none).
    var csrfToken: String { context.sessionID.map { api.csrf.token(session: $0) } ?? "" }

    /// Whether the caller may read the account's audit trail (owner, admin).
    var isAdmin: Bool { context.identity.map { $0.principal.role == .owner || $0.principal.role == .admin } ?? false }

    /// `template` as a page titled `title`, with the layout's values and `values`.
    func page(_ template: String, title: String, status: HTTPResponse.Status = .ok, values: [String: Any]) throws -> Response {
        var all = values
        all["page"] = template
        all["title"] = title
        if let identity = context.identity {
            all["signed_in"] = true
            all["user_name"] = identity.user.shownName ?? identity.user.id.lowercased
            all["user_id"] = identity.user.id.lowercased
            all["csrf"] = csrfToken
            all["is_admin"] = isAdmin
        }
        if let key = request.uri.queryParameters.get("notice"), ["reverted", "conflict", "reason_required"].contains(key) {
            all["notice"] = text(key)
            all["notice_kind"] = key == "reverted" ? "ok" : "conflict"
        }
        let html = try api.webPages.render(template, locale: locale, values: all)
        return Response(
            status: status, headers: [.contentType: "text/html; charset=utf-8", .contentLanguage: locale],
            body: ResponseBody(byteBuffer: ByteBuffer(string: html)))
    }

    /// A `303 See Other` to `location` (after a form's POST).
    static func redirect(_ location: String) -> Response {
        Response(status: .seeOther, headers: [.location: location])
    }

    /// A JSON value as text for a page: strings as they are, null as an empty string, anything
    /// else as canonical JSON.
    static func show(_ value: JSONValue?) -> String {
        switch value {
        case nil, .null?: ""
        case .string(let s)?: s
        case let other?: String(decoding: CanonicalJSON.bytes(other), as: UTF8.self)
        }
    }
}
