import ApexDomain
import ApexStore
import Foundation
import HTTPTypes
import Testing

/// Webhook endpoints and their deliveries (``OpenAPIConformanceTests``).
extension OpenAPIConformanceTests {
    static let hook: JSONValue = ["url": "https://93.184.216.34/apex", "event_types": ["project.*"], "description": "ERP"]

    /// A new endpoint's path.
    static func newHook(_ p: ContractProbe) async throws -> String {
        let created = try await p.send(.post, "/v1/webhooks", json: hook)
        return "/v1/webhooks/\(try #require(created["id"]?.stringValue))"
    }

    static let webhooks: [String: Scenario] = [
        "createWebhook": { p in
            let made = try await p.expect(201, .post, "/v1/webhooks", json: hook)
            #expect(made["secret"]?.stringValue?.hasPrefix("whsec_") == true)
            try await p.malformed(.post, "/v1/webhooks")
            try await p.unauthorized(.post, "/v1/webhooks", json: hook)
            try await p.expect(403, .post, "/v1/webhooks", as: "admin", json: hook)
            try await p.tooLarge(.post, "/v1/webhooks")
            try await p.expect(422, .post, "/v1/webhooks", json: ["url": "https://169.254.169.254/", "event_types": ["*"]])
        },
        "listWebhooks": { p in
            _ = try await newHook(p)
            #expect(try await p.expect(200, .get, "/v1/webhooks").items.count == 1)
            try await p.unauthorized(.get, "/v1/webhooks")
            try await p.expect(403, .get, "/v1/webhooks", as: "admin")
        },
        "getWebhook": { p in
            let path = try await newHook(p)
            try await p.expect(200, .get, path)
            try await p.unauthorized(.get, path)
            try await p.expect(403, .get, path, as: "engineer")
            try await p.expect(404, .get, "/v1/webhooks/\(UUID().lowercased)")
        },
        "updateWebhook": { p in
            let path = try await newHook(p)
            let changed = try await p.expect(200, .patch, path, json: ["enabled": false, "event_types": ["*"], "description": "off"])
            #expect(changed["enabled"] == false)
            try await p.malformed(.patch, path)
            try await p.unauthorized(.patch, path, json: ["enabled": true])
            try await p.expect(403, .patch, path, as: "admin", json: ["enabled": true])
            try await p.expect(404, .patch, "/v1/webhooks/\(UUID().lowercased)", json: ["enabled": true])
            try await p.tooLarge(.patch, path)
            try await p.expect(422, .patch, path, json: ["url": "https://127.0.0.1/"])
        },
        "deleteWebhook": { p in
            let path = try await newHook(p)
            try await p.unauthorized(.delete, path)
            try await p.expect(403, .delete, path, as: "admin")
            try await p.expect(204, .delete, path)
            try await p.expect(404, .delete, path)
        },
        "rotateWebhookSecret": { p in
            let path = try await newHook(p) + "/rotate-secret"
            try await p.expect(200, .post, path)
            try await p.unauthorized(.post, path)
            try await p.expect(403, .post, path, as: "admin")
            try await p.expect(404, .post, "/v1/webhooks/\(UUID().lowercased)/rotate-secret")
        },
        "testWebhook": { p in
            let path = try await newHook(p) + "/test"
            try await p.expect(202, .post, path)
            try await p.unauthorized(.post, path)
            try await p.expect(403, .post, path, as: "admin")
            try await p.expect(404, .post, "/v1/webhooks/\(UUID().lowercased)/test")
        },
        "listWebhookDeliveries": { p in
            let hook = try await newHook(p)
            try await p.send(.post, hook + "/test")
            let page = try await p.expect(200, .get, hook + "/deliveries?status=pending&limit=10")
            #expect(page.items.count == 1)
            try await p.expect(400, .get, hook + "/deliveries?status=lost")
            try await p.unauthorized(.get, hook + "/deliveries")
            try await p.expect(403, .get, hook + "/deliveries", as: "admin")
            try await p.expect(404, .get, "/v1/webhooks/\(UUID().lowercased)/deliveries")
        },
        "redeliverWebhookMessage": { p in
            let hook = try await newHook(p)
            let id = try #require(try await p.send(.post, hook + "/test")["message_id"]?.stringValue)
            try await p.expect(202, .post, hook + "/deliveries/\(id)/redeliver")
            try await p.unauthorized(.post, hook + "/deliveries/\(id)/redeliver")
            try await p.expect(403, .post, hook + "/deliveries/\(id)/redeliver", as: "admin")
            try await p.expect(404, .post, hook + "/deliveries/nothing/redeliver")
        },
        "replayWebhook": { p in
            let path = try await newHook(p) + "/replay"
            let replayed = try await p.expect(202, .post, path, json: ["from_position": 1])
            #expect((replayed["queued"]?.numberValue ?? 0) > 0)
            try await p.malformed(.post, path)
            try await p.unauthorized(.post, path, json: ["from_position": 1])
            try await p.expect(403, .post, path, as: "admin", json: ["from_position": 1])
            try await p.expect(404, .post, "/v1/webhooks/\(UUID().lowercased)/replay", json: ["from_position": 1])
            try await p.tooLarge(.post, path)
            try await p.expect(422, .post, path, json: ["from_position": 5, "to_position": 2])
        },
    ]
}
