import ApexWeb
import Foundation
import Logging
import HTTPTypes
import Hummingbird
import NIOCore

/// Every `POST` under `/ui/` made with a session cookie must carry the session's CSRF token
/// (``CSRFTokens``): the form field `csrf_token`, or the `X-CSRF-Token` header from the page's
/// script. Otherwise 403 `csrf_failed`, before anything is read or written. A request with an
/// `Origin` of another site is refused the same way, signed in or not (the sign-in form too).
struct WebCSRFMiddleware: RouterMiddleware {
    typealias Context = ApexRequestContext
    let api: ApexAPI

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard request.method == .post else { return try await next(request, context) }
        if let origin = request.headers[.origin], !Self.sameOrigin(origin, request: request, publicBase: api.configuration.publicBaseURL) {
            throw Self.refusal
        }
        guard let session = context.sessionID else { return try await next(request, context) }
        var request = request
        let body = try await Self.form(&request, limit: api.configuration.bodyLimit)
        guard api.csrf.isValid(request.headers[.xCSRFToken] ?? body["csrf_token"], session: session) else { throw Self.refusal }
        return try await next(request, context)
    }

    static let refusal = APIError(.forbidden, code: "csrf_failed", "the form is stale or came from another site; reload the page and try again")

    /// The request's form fields, its body collected (so the route reads it again).
    static func form(_ request: inout Request, limit: Int) async throws -> WebForm {
        let buffer: ByteBuffer
        do { buffer = try await request.collectBody(upTo: limit) } catch {
            throw APIError(.contentTooLarge, code: "body_too_large", "the request body is larger than \(limit) bytes")
        }
        return WebForm(String(decoding: buffer.readableBytesView, as: UTF8.self))
    }

    /// Whether `origin` is the server's public address or the address the request was sent to.
    static func sameOrigin(_ origin: String, request: Request, publicBase: String) -> Bool {
        if origin == publicBase { return true }
        guard let host = request.head.authority else { return false }
        return origin == "http://\(host)" || origin == "https://\(host)"
    }
}
