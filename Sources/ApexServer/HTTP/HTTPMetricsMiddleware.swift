import ApexMetrics
import HTTPTypes
import Hummingbird

/// Counts every request and times it to its answer's head in ``ApexMetrics``, by method, route
/// template (`/v1/projects/{id}`: never the raw path, so ids never become labels; `unmatched`
/// for a path no route has) and status. The outermost middleware, so refusals are counted too.
/// Every label has few values whatever clients send: a method outside the standard ones is `other`.
struct HTTPMetricsMiddleware: RouterMiddleware {
    typealias Context = ApexRequestContext
    let metrics: ApexMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let clock = ContinuousClock()
        let start = clock.now
        // Hummingbird names the route a request matched by its template; a path no route has
        // gets a name of its own (`NotFound`), or none.
        let route = context.endpointPath.flatMap { $0.hasPrefix("/") ? $0 : nil } ?? "unmatched"
        let method = Self.methods.contains(request.method.rawValue) ? request.method.rawValue : "other"
        do {
            let response = try await next(request, context)
            metrics.recordRequest(method: method, route: route, status: response.status.code, duration: clock.now - start)
            return response
        } catch {
            let status = (error as? any HTTPResponseError)?.status.code ?? 500
            metrics.recordRequest(method: method, route: route, status: status, duration: clock.now - start)
            throw error
        }
    }

    /// The methods counted by name.
    static let methods: Set<String> = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
}
