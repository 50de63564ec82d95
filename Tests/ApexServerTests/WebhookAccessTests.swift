import ApexDomain
import ApexServer
import ApexStore
import ApexWebhooks
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// Who may manage webhooks (only `account.manage`: owners), which URLs they may point at (the
/// SSRF guard), bad input, and another account's endpoints (404).
@Suite("Webhook access and input")
struct WebhookAccessTests {
    static let hook: JSONValue = ["url": "https://93.184.216.34/apex", "event_types": ["project.*", "calculation.approved"], "description": "ERP"]

    @Test(arguments: StoreKind.allCases)
    func refusesLoopbackAndMetadataAddressesUnlessPrivateIsAllowed(_ kind: StoreKind) async throws {
        try await World.with(kind, withProjects: false) { world in
            try await world.test { client in
                for (url, code) in [
                    ("https://127.0.0.1/hook", "url_refused"), ("https://169.254.169.254/latest/meta-data", "url_refused"),
                    ("https://localhost:8443/hook", "url_refused"), ("https://[::1]/hook", "url_refused"), ("https://10.0.0.8/x", "url_refused"),
                    ("http://93.184.216.34/hook", "invalid_url"), ("ftp://93.184.216.34/", "invalid_url"), ("hooks.example.com", "invalid_url"),
                ] {
                    let reply = try await client.call(.post, "/v1/webhooks", as: world.token("owner"), json: ["url": .string(url), "event_types": ["*"]])
                    #expect(reply.code == 422, "\(url)")
                    #expect(reply["code"]?.stringValue == code, "\(url)")
                    #expect(reply.contentType == "application/problem+json")
                }
                let created = try await client.call(.post, "/v1/webhooks", as: world.token("owner"), json: Self.hook)
                #expect(created.code == 201)
                let id = try #require(created["id"]?.stringValue)
                let patched = try await client.call(.patch, "/v1/webhooks/\(id)", as: world.token("owner"), json: ["url": "https://169.254.169.254/"])
                #expect(patched.code == 422 && patched["code"]?.stringValue == "url_refused")
                #expect(try await client.call(.get, "/v1/webhooks", as: world.token("owner")).items.count == 1)
            }
            let open = try await world.rebuilt { $0.webhooks.urlGuard = URLGuard(allowHTTP: true, allowPrivate: true) }
            try await open.test { client in
                for url in ["https://127.0.0.1/hook", "https://169.254.169.254/latest", "http://127.0.0.1:9/x"] {
                    let reply = try await client.call(.post, "/v1/webhooks", as: world.token("owner"), json: ["url": .string(url), "event_types": ["*"]])
                    #expect(reply.code == 201, "\(url)")
                }
            }
        }
    }

    @Test(arguments: StoreKind.allCases)
    func badInputIsA4xxAndNothingIsWritten(_ kind: StoreKind) async throws {
        try await World.with(kind, withProjects: false) { world in
            try await world.test { client in
                let before = try await world.store.streamVersion(.account(world.account))
                let bodies: [(JSONValue?, String?, Int, String)] = [
                    (["url": "https://93.184.216.34/", "event_types": []], nil, 422, "invalid_event_types"),
                    (["url": "https://93.184.216.34/", "event_types": ["Project.*"]], nil, 422, "invalid_event_types"),
                    (["url": "https://93.184.216.34/"], nil, 422, "invalid_event_types"),
                    (["url": "https://93.184.216.34/", "event_types": ["*"], "secret": "mine"], nil, 400, "unknown_field"),
                    (["url": "https://93.184.216.34/", "event_types": ["*"], "description": "a\u{0}b"], nil, 422, "invalid_description"),
                    (["url": 7, "event_types": ["*"]], nil, 400, "invalid_type"),
                    (nil, "{not json", 400, "malformed_json"),
                ]
                for (json, raw, status, code) in bodies {
                    let reply = try await client.call(.post, "/v1/webhooks", as: world.token("owner"), json: json, raw: raw)
                    #expect(reply.code == status, "\(reply.text)")
                    #expect(reply["code"]?.stringValue == code, "\(reply.text)")
                }
                #expect(try await world.store.streamVersion(.account(world.account)) == before)
            }
        }
    }

    @Test(arguments: StoreKind.allCases)
    func anotherAccountsWebhookIsNotFound(_ kind: StoreKind) async throws {
        try await World.with(kind, withProjects: false) { world in
            let rival = try await world.otherAccount()
            try await world.test { client in
                let created = try await client.call(.post, "/v1/webhooks", as: world.token("owner"), json: Self.hook)
                let id = try #require(created["id"]?.stringValue)
                for (method, path) in [
                    (HTTPRequest.Method.get, "/v1/webhooks/\(id)"), (.patch, "/v1/webhooks/\(id)"), (.delete, "/v1/webhooks/\(id)"),
                    (.post, "/v1/webhooks/\(id)/rotate-secret"), (.post, "/v1/webhooks/\(id)/test"), (.get, "/v1/webhooks/\(id)/deliveries"),
                    (.post, "/v1/webhooks/\(id)/replay"), (.post, "/v1/webhooks/\(id)/deliveries/x/redeliver"),
                    (.get, "/v1/webhooks/\(UUID().uuidString.lowercased())"),
                ] {
                    let body: JSONValue? = method == .patch ? ["enabled": false] : (path.hasSuffix("replay") ? ["from_position": 1] : nil)
                    let reply = try await client.call(method, path, as: rival.token, json: body)
                    #expect(reply.code == 404, "\(method) \(path)")
                }
                #expect(try await client.call(.get, "/v1/webhooks", as: rival.token).items.isEmpty)
                // Still there and unchanged for its owner; then deleted, it is gone for them too.
                #expect(try await client.call(.get, "/v1/webhooks/\(id)", as: world.token("owner"))["enabled"]?.bool == true)
                #expect(try await client.call(.delete, "/v1/webhooks/\(id)", as: world.token("owner")).code == 204)
                #expect(try await client.call(.get, "/v1/webhooks/\(id)", as: world.token("owner")).code == 404)
            }
        }
    }

    @Test(arguments: StoreKind.allCases)
    func onlyAccountManageMayManageWebhooks(_ kind: StoreKind) async throws {
        try await World.with(kind, withProjects: false) { world in
            try await world.test { client in
                let created = try await client.call(.post, "/v1/webhooks", as: world.token("owner"), json: Self.hook)
                let id = try #require(created["id"]?.stringValue)
                for name in ["owner", "owner-nope", "admin", "engineer", "estimator", "fabricator", "client"] {
                    let allowed = Role(rawValue: String(name.prefix { $0 != "-" })) == .owner
                    let list = try await client.call(.get, "/v1/webhooks", as: world.token(name))
                    let read = try await client.call(.get, "/v1/webhooks/\(id)", as: world.token(name))
                    let make = try await client.call(.post, "/v1/webhooks", as: world.token(name), json: Self.hook)
                    let log = try await client.call(.get, "/v1/webhooks/\(id)/deliveries", as: world.token(name))
                    for (reply, success) in [(list, 200), (read, 200), (make, 201), (log, 200)] {
                        #expect(reply.code == (allowed ? success : 403), "\(name): \(reply.text)")
                    }
                }
                // Denials are audited.
                await world.api.flushDenials()
                let denials = try await world.store.readStream(.account(world.account), from: 1, limit: 10_000, mode: .stored).filter { $0.type == "access.denied" }
                #expect(!denials.isEmpty)
            }
        }
    }
}
