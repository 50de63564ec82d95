import ApexDomain
import Foundation
import HTTPTypes
import Testing

/// Analytics (``OpenAPIConformanceTests``).
extension OpenAPIConformanceTests {
    static let analytics: [String: Scenario] = [
        "getUsage": { p in
            try await p.expect(200, .get, "/v1/analytics/usage")
            try await p.expect(200, .get, "/v1/analytics/usage?from=2024-01-01&to=2024-12-31&interval=month", as: "admin")
            try await p.expect(400, .get, "/v1/analytics/usage?interval=year")
            try await p.expect(422, .get, "/v1/analytics/usage?from=2024-02-01&to=2024-01-01")
            try await p.unauthorized(.get, "/v1/analytics/usage")
            try await p.expect(403, .get, "/v1/analytics/usage", as: "engineer")
        },
    ]
}

extension OpenAPIConformanceTests {
    static let anomalies: [String: Scenario] = [
        "listAnomalies": { p in
            try await p.expect(200, .get, "/v1/audit/anomalies")
            try await p.expect(200, .get, "/v1/audit/anomalies?rule=denial_burst&from=2024-01-01&limit=5", as: "admin")
            try await p.expect(400, .get, "/v1/audit/anomalies?rule=nope")
            try await p.unauthorized(.get, "/v1/audit/anomalies")
            try await p.expect(403, .get, "/v1/audit/anomalies", as: "engineer")
        },
    ]
}
