import HTTPTypes
import Hummingbird

/// Tells browsers to reach this host only over HTTPS for a year (`Strict-Transport-Security:
/// max-age=31536000`) on every response, refusals and errors too. Added, as the outermost
/// middleware, only when the server itself speaks TLS (``ServerConfiguration/tls``); behind a
/// reverse proxy the proxy sends it.
struct StrictTransportSecurity: RouterMiddleware {
    typealias Context = ApexRequestContext

    /// The header's name.
    static let name = HTTPField.Name("Strict-Transport-Security")!
    /// The header's value: one year, as HSTS preload lists ask at the least.
    static let value = "max-age=31536000"

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response: Response
        do {
            response = try await next(request, context)
        } catch let error as any HTTPResponseError {
            response = try error.response(from: request, context: context)
        }
        response.headers[Self.name] = Self.value
        return response
    }
}
