public import ApexDomain
public import ApexStore
import Foundation
public import HTTPTypes
public import Hummingbird
import Logging
import NIOCore

/// An error the API answers with: an RFC 9457 `application/problem+json` body with a stable `code`.
///
/// ```json
/// {"type":"https://apex.dev/problems/invalid_input","title":"Unprocessable Content","status":422,
///  "code":"invalid_input","detail":"name must not be empty","field":"name","request_id":"…"}
/// ```
public struct APIError: Error, Sendable, HTTPResponseError {
    /// The HTTP status.
    public var status: HTTPResponse.Status
    /// A stable, machine-readable code (snake_case).
    public var code: String
    /// A sentence a person can act on. Never holds secrets.
    public var detail: String
    /// The request field the error is about (dotted path), if any.
    public var field: String?
    /// Extra headers (e.g. `WWW-Authenticate`).
    public var headers: HTTPFields = [:]

    /// An error.
    public init(_ status: HTTPResponse.Status, code: String, _ detail: String, field: String? = nil) {
        self.status = status
        self.code = code
        self.detail = detail
        self.field = field
    }

    /// 400: the body or a parameter is malformed.
    public static func badRequest(_ detail: String, code: String = "bad_request", field: String? = nil) -> APIError {
        APIError(.badRequest, code: code, detail, field: field)
    }

    /// 401: no valid credentials.
    public static func unauthorized(_ detail: String) -> APIError {
        var error = APIError(.unauthorized, code: "unauthorized", detail)
        error.headers[.wwwAuthenticate] = "Bearer realm=\"apex\""
        return error
    }

    /// 404: the resource does not exist, or the caller may not know that it does.
    public static let notFound = APIError(.notFound, code: "not_found", "the resource does not exist")

    /// The error as a problem body.
    public func body(requestID: String?) -> JSONValue {
        var body: [String: JSONValue] = [
            "type": .string("https://apex.dev/problems/\(code)"),
            "title": .string(status.reasonPhrase),
            "status": .number(Double(status.code)),
            "code": .string(code),
            "detail": .string(detail),
        ]
        if let field { body["field"] = .string(field) }
        if let requestID { body["request_id"] = .string(requestID) }
        return .object(body)
    }

    /// The problem response, the one place problems are written: `title` and `detail` in the
    /// request's language (`Accept-Language`; the user's `locale` preference is for email) from ``ProblemCatalog``, the `code`
    /// unchanged, with `Content-Language` and `Vary: Accept-Language`.
    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var headers = self.headers
        headers[.contentType] = "application/problem+json"
        let requestID = (context as? ApexRequestContext)?.requestID ?? request.headers[.xRequestID]
        var problem = body(requestID: requestID)
        var language = "en"
        if AcceptLanguage.preferredLocale(request.headers[.acceptLanguage]) == "es", let spanish = ProblemCatalog.spanish(self), case .object(var members) = problem {
            members["title"] = .string(spanish.title)
            members["detail"] = .string(spanish.detail)
            problem = .object(members)
            language = "es"
        }
        headers[.contentLanguage] = language
        let vary = headers[values: .vary]
        if !vary.contains(where: { $0.lowercased() == "accept-language" }) { headers.append(HTTPField(name: .vary, value: "Accept-Language")) }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: CanonicalJSON.bytes(problem))))
    }
}

extension APIError {
    /// The API error for a domain refusal: 404 for a missing thing, 409 for a conflict with
    /// the current state, 422 for invalid input or a broken rule.
    public init(_ error: DomainError) {
        let status: HTTPResponse.Status
        switch error.code {
        case .notFound: status = .notFound
        case .alreadyExists, .invalidTransition, .readOnly, .deleted, .staleRevision, .approvalMissing, .lastOwner, .projectLocked:
            status = .conflict
        case .peLicenseRequired: status = .forbidden
        default: status = .unprocessableContent
        }
        self.init(status, code: error.code.description, error.message, field: error.field)
    }

    /// The API error for a store failure: 409 for a version conflict, 503 when unavailable.
    public init(_ error: EventStoreError) {
        switch error.code {
        case .versionConflict:
            self.init(.conflict, code: "version_conflict", "the resource changed meanwhile; read it again and retry")
        case .duplicateEventID:
            self.init(.conflict, code: "duplicate_event_id", error.message)
        case .invalidEvent:
            self.init(.unprocessableContent, code: "invalid_event", error.message)
        default:
            self.init(.serviceUnavailable, code: "store_unavailable", "the event store is not available; try again shortly")
        }
    }
}

extension HTTPField.Name {
    /// `X-Request-ID`.
    public static let xRequestID = HTTPField.Name("X-Request-ID")!
    /// `X-Forwarded-For`.
    public static let xForwardedFor = HTTPField.Name("X-Forwarded-For")!
    /// `Forwarded` (RFC 7239).
    public static let forwarded = HTTPField.Name("Forwarded")!
    /// `Apex-State-Hash`: SHA-256 of the replayed project state, which an offline replay reproduces.
    public static let apexStateHash = HTTPField.Name("Apex-State-Hash")!
    // `traceparent` comes from HTTPTypes (`HTTPField.Name.traceparent`); declaring it here too
    // made `.traceparent` ambiguous for every module importing both.
}
