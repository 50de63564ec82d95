import ApexDomain
import ApexStore
import ApexTestSupport
import Foundation
import HTTPTypes
import Testing

/// Erasure, token revocation and account settings (``OpenAPIConformanceTests``).
extension OpenAPIConformanceTests {
    static let compliance: [String: Scenario] = [
        "eraseUser": { p in
            let path = "/v1/users/\(p.world.user("member").lowercased)/erase"
            try await p.malformed(.post, path)
            try await p.unauthorized(.post, path, json: ["reason": "GDPR request"])
            try await p.expect(403, .post, path, as: "estimator", json: ["reason": "GDPR request"])
            try await p.expect(403, .post, "/v1/users/\(p.world.user("owner").lowercased)/erase", as: "admin", json: ["reason": "GDPR request"])
            try await p.expect(404, .post, "/v1/users/\(UUID().lowercased)/erase", json: ["reason": "GDPR request"])
            try await p.tooLarge(.post, path)
            try await p.expect(422, .post, path, json: ["reason": " "])
            let (proxy, racy) = try await p.proxied()
            p.loseEveryAccountRace(proxy)
            try await p.on(racy) { try await $0.expect(409, .post, path, json: ["reason": "GDPR request"]) }
            let erased = try await p.expect(200, .post, path, json: ["reason": "GDPR request"])
            #expect(erased["name"] == "[erased]" && erased["erased"] == true)
        },
        "revokeUserTokens": { p in
            let path = "/v1/users/\(p.world.user("member").lowercased)/revoke-tokens"
            try await p.unauthorized(.post, path)
            try await p.expect(403, .post, path, as: "estimator")
            try await p.expect(403, .post, "/v1/users/\(p.world.user("owner").lowercased)/revoke-tokens", as: "admin")
            try await p.expect(404, .post, "/v1/users/\(UUID().lowercased)/revoke-tokens")
            let (proxy, racy) = try await p.proxied()
            p.loseEveryAccountRace(proxy)
            try await p.on(racy) { try await $0.expect(409, .post, path) }
            try await p.expect(204, .post, path, as: "admin")
        },
        "signOutEverywhere": { p in
            try await p.unauthorized(.post, "/v1/me/sign-out-everywhere")
            let (proxy, racy) = try await p.proxied()
            p.loseEveryAccountRace(proxy)
            try await p.on(racy) { try await $0.expect(409, .post, "/v1/me/sign-out-everywhere", as: "estimator") }
            try await p.expect(204, .post, "/v1/me/sign-out-everywhere", as: "engineer")
        },
        "getAccountSettings": { p in
            try await p.expect(200, .get, "/v1/account/settings")
            try await p.unauthorized(.get, "/v1/account/settings")
            try await p.expect(403, .get, "/v1/account/settings", as: "admin")
        },
        "updateAccountSettings": { p in
            let path = "/v1/account/settings"
            try await p.expect(200, .patch, path, json: ["metadata_retention_days": 90, "ip_allowlist": []])
            try await p.malformed(.patch, path)
            try await p.unauthorized(.patch, path, json: ["metadata_retention_days": 30])
            try await p.expect(403, .patch, path, as: "admin", json: ["metadata_retention_days": 30])
            try await p.tooLarge(.patch, path)
            try await p.expect(422, .patch, path, json: ["metadata_retention_days": 0])
            try await p.expect(422, .patch, path, json: ["ip_allowlist": ["10.0.0.0/33"]])
            // Through the router the request has no client address: any allowlist would lock the caller out.
            try await p.expect(422, .patch, path, json: ["ip_allowlist": ["10.0.0.0/8"]])
            let (proxy, racy) = try await p.proxied()
            p.loseEveryAccountRace(proxy)
            try await p.on(racy) { try await $0.expect(409, .patch, path, json: ["metadata_retention_days": 30]) }
        },
    ]
}
