import ApexMetrics
import HTTPTypes
import Hummingbird

/// Counts every request and times it to its answer's head in ``ApexMetrics``, by method, route
/// template (`/v1/projects/{id}`: never the raw path, so ids never become labels; `unmatched`
/// for a path no route has) and status. The outermost middleware, so refusals are counted too.
struct HTTPMetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    let metrics: ApexMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let clock = ContinuousClock()
        let start = clock.now
        // Hummingbird names the route a request matched by its template; a path no route has
        // gets a name of its own (`NotFound`), or none.
        let route = context.endpointPath.flatMap { $0.hasPrefix("/") ? $0 : nil } ?? "unmatched"
        do {
            let response = try await next(request, context)
            metrics.recordRequest(method: request.method.rawValue, route: route, status: response.status.code, duration: clock.now - start)
            return response
        } catch {
            let status = (error as? any HTTPResponseError)?.status.code ?? 500
            metrics.recordRequest(method: request.method.rawValue, route: route, status: status, duration: clock.now - start)
            throw error
        }
    }
}
