import ApexMetrics
import HTTPTypes
import Hummingbird

/// Counts every request and times it to its answer's head in ``ApexMetrics``, by method, route
/// template (`/v1/projects/:id`: never the raw path, so ids never become labels; `unmatched`
/// for a path no route has) and status. The outermost middleware, so refusals are counted too.
struct HTTPMetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    let metrics: ApexMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let clock = ContinuousClock()
        let start = clock.now
        let status: Int
        do {
            let response = try await next(request, context)
            status = response.status.code
            metrics.recordRequest(method: request.method.rawValue, route: context.endpointPath ?? "unmatched", status: status, duration: clock.now - start)
            return response
        } catch {
            status = (error as? any HTTPResponseError)?.status.code ?? 500
            metrics.recordRequest(method: request.method.rawValue, route: context.endpointPath ?? "unmatched", status: status, duration: clock.now - start)
            throw error
        }
    }
}
