import ApexAnalytics
import ApexDomain
import Foundation
import HTTPTypes
import Hummingbird

/// `GET /v1/analytics/usage`: the account's usage by day, week or month (owner and admin, under
/// the policy's audit-trail rule), read from the `analytics` consumer's counters (``UsageAnalytics``).
struct AnalyticsRoutes {
    let api: ApexAPI

    func register(on router: RouterGroup<ApexRequestContext>) {
        router.get("analytics/usage") { request, context in try await usage(request, context) }
    }

    func usage(_ request: Request, _ context: ApexRequestContext) async throws -> Response {
        let me = try context.requireIdentity()
        try await api.gate.authorize(me, .userRemove, .auditTrail(accountID: me.principal.accountID), resourceName: "analytics", context: context)
        let report = try await Self.mapped {
            let interval = try Self.interval(request.query("interval"))
            let range = try UsageRange(from: request.query("from"), to: request.query("to"), today: CivilDate(containing: api.configuration.clock()))
            return try await api.analytics.report(account: me.principal.accountID, range: range, interval: interval)
        }
        return Response.json(report.json)
    }

    /// `day` (the default), `week` or `month`; else 400 `invalid_query`.
    static func interval(_ text: String?) throws(AnalyticsError) -> UsageInterval {
        guard let text else { return .day }
        guard let interval = UsageInterval(rawValue: text) else {
            throw AnalyticsError(.invalidQuery, "interval must be one of day, week, month", field: "interval")
        }
        return interval
    }

    /// `work`, with an ``AnalyticsError`` as the API's problem.
    static func mapped<T>(_ work: () async throws -> T) async throws -> T {
        do { return try await work() } catch let error as AnalyticsError { throw APIError(error) }
    }
}

extension APIError {
    /// An analytics error as a problem: 400 for a malformed parameter or cursor, 422 for an
    /// unacceptable range, 503 without feature tables.
    init(_ error: AnalyticsError) {
        let status: HTTPResponse.Status =
            switch error.code {
            case .invalidQuery, .invalidCursor: .badRequest
            case .invalidRange: .unprocessableContent
            case .unavailable: .serviceUnavailable
            }
        self.init(status, code: error.code.description, error.message, field: error.field)
    }
}
