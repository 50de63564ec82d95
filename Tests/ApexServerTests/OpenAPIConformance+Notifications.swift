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
        "getMyPreferences": { p in
            for user in ["owner", "client"] { try await p.expect(200, .get, "/v1/me/preferences", as: user) }
            try await p.unauthorized(.get, "/v1/me/preferences")
        },
        "updateMyPreferences": { p in
            let path = "/v1/me/preferences"
            try await p.expect(200, .patch, path, as: "client", json: ["locale": "es", "time_zone": "America/Mexico_City", "email": ["immediate": ["project_approved"], "digest": "daily"]])
            try await p.malformed(.patch, path)
            try await p.unauthorized(.patch, path, json: ["locale": "es"])
            try await p.tooLarge(.patch, path)
            try await p.expect(400, .patch, path, json: ["email": ["weekly": true]])
            try await p.expect(422, .patch, path, json: ["locale": "fr"])
            try await p.expect(422, .patch, path, json: ["time_zone": "Mars/Olympus"])
            try await p.expect(422, .patch, path, json: ["email": ["digest": "hourly"]])
            try await p.expect(422, .patch, path, json: ["email": ["immediate": ["gossip"]]])
        },
    ]
}
