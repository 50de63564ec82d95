import ApexDomain
import ApexWeb
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// Every `/ui/` response: the security headers (``WebHeaders``), `Cache-Control: no-store` on
/// pages, and an error answered as an HTML page (in the caller's language) with the status and
/// the stable `code` the API would give, never a stack trace or a secret. Added once around the
/// whole `/ui` group (before authentication: Accept-Language decides the language) and once
/// after authentication (the signed-in user's preference decides).
struct WebPageMiddleware: RouterMiddleware {
    typealias Context = ApexRequestContext
    let api: ApexAPI

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response: Response
        do {
            response = try await next(request, context)
        } catch {
            // Mapped as the API maps it (same status and code), then shown as a page.
            response = try page(for: ProblemMiddleware.apiError(for: error, request, context, allowed: nil), request, context)
        }
        Self.secure(&response.headers)
        return response
    }

    /// Adds the security headers, and `no-store` unless the response set its own caching.
    static func secure(_ headers: inout HTTPFields) {
        headers[.contentSecurityPolicy] = WebHeaders.contentSecurityPolicy
        headers[.xContentTypeOptions] = WebHeaders.contentTypeOptions
        headers[.referrerPolicy] = WebHeaders.referrerPolicy
        headers[.xFrameOptions] = "DENY"
        if headers[.cacheControl] == nil { headers[.cacheControl] = "no-store" }
    }

    /// The error page for `error`: 401 says to sign in, 403 and 404 say so, the rest are generic.
    private func page(for error: APIError, _ request: Request, _ context: Context) throws -> Response {
        let view = WebView(api: api, request: request, context: context)
        let (heading, text): (String, String) = switch error.status {
        case .unauthorized: ("need_sign_in", "need_sign_in_text")
        case .forbidden: ("forbidden", "forbidden_text")
        case .notFound: ("not_found", "not_found_text")
        default: ("error", "error_text")
        }
        var values: [String: Any] = ["heading": view.text(heading), "text": view.text(text), "code": error.code]
        if error.status != .unauthorized { values["link"] = "/ui/projects"; values["link_text"] = view.text("back") }
        var response = try view.page("message", title: view.text(heading), status: error.status, values: values)
        for field in error.headers where field.name != .wwwAuthenticate { response.headers.append(field) }
        return response
    }
}

extension HTTPField.Name {
    static let referrerPolicy = HTTPField.Name("Referrer-Policy")!
    static let xFrameOptions = HTTPField.Name("X-Frame-Options")!
    static let xCSRFToken = HTTPField.Name("X-CSRF-Token")!
}
