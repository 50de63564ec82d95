import ApexDomain
import ApexFiles
import ApexStore
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// Turns every error into an RFC 9457 problem response: domain refusals, store failures,
/// Hummingbird's own errors (413, 404 for unknown routes, 405 with `Allow` for a known path
/// asked with another method) — and anything unexpected into a 500 whose body says nothing
/// about the cause (the log has it, with the request id).
struct ProblemMiddleware: RouterMiddleware {
    typealias Context = ApexRequestContext
    let allowed: AllowedMethods

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            throw Self.apiError(for: error, request, context, allowed: allowed)
        }
    }

    /// What `error` is answered as (also by the web pages, as a page): an ``APIError`` as it is,
    /// the domain's, the store's and the files'
    /// errors mapped, anything else a logged 500 that says nothing of its cause. `allowed` turns
    /// a 404 of a known path into 405.
    static func apiError(for error: any Error, _ request: Request, _ context: Context, allowed: AllowedMethods?) -> APIError {
        switch error {
        case let error as APIError:
            return error
        case let error as DomainError:
            return APIError(error)
        case let error as EventStoreError:
            if error.code != .versionConflict { context.logger.error("store failure", metadata: ["error": "\(String(reflecting: error))"]) }
            return APIError(error)
        case let error as FilesError:
            if error.code == .storage || error.code == .blobMissing || error.code == .blobCorrupt {
                context.logger.error("blob store failure", metadata: ["error": "\(error)"])
            }
            return APIError(error)
        case let error as HTTPError:
            if error.status == .notFound, let allow = allowed?.allow(request.uri.path) {
                var problem = APIError(.methodNotAllowed, code: "method_not_allowed", "\(request.method.rawValue) is not allowed here; allowed: \(allow)")
                problem.headers[.allow] = allow
                return problem
            }
            return Self.problem(for: error)
        default:
            context.logger.error("unexpected failure", metadata: ["error": "\(String(reflecting: error))"])
            return APIError(.internalServerError, code: "internal_error", "something went wrong on our side; the request id identifies it in the logs")
        }
    }

    static func problem(for error: HTTPError) -> APIError {
        switch error.status {
        case .contentTooLarge: APIError(.contentTooLarge, code: "body_too_large", "the request body is larger than the server accepts")
        case .notFound: APIError.notFound
        case .methodNotAllowed: APIError(.methodNotAllowed, code: "method_not_allowed", "this method is not allowed on this resource")
        default: APIError(error.status, code: "http_\(error.status.code)", error.body ?? error.status.reasonPhrase)
        }
    }
}
