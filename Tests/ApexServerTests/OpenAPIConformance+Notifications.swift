import ApexDomain
import HTTPTypes
import Testing

/// Email deliveries (``OpenAPIConformanceTests``).
extension OpenAPIConformanceTests {
    static let notifications: [String: Scenario] = [
        "listNotificationDeliveries": { p in
            _ = try await p.send(.post, "/v1/invitations", json: ["email": "contract@example.com", "role": "estimator"])
            let page = try await p.expect(200, .get, "/v1/notifications/deliveries?limit=10")
            #expect(page["next_cursor"] != nil)
            try await p.expect(200, .get, "/v1/notifications/deliveries", as: "admin")
            try await p.expect(400, .get, "/v1/notifications/deliveries?cursor=nope")
            try await p.unauthorized(.get, "/v1/notifications/deliveries")
            try await p.expect(403, .get, "/v1/notifications/deliveries", as: "estimator")
        },
    ]
}
