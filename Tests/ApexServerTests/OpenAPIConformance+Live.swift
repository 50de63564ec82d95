import ApexDomain
import Foundation
import HTTPTypes
import Testing

/// Live streams (``OpenAPIConformanceTests``): through the router, a stream lasts the
/// conformance world's ``LiveConfiguration/maxStreamDuration`` and its whole body is checked.
extension OpenAPIConformanceTests {
    static let live: [String: Scenario] = [
        "streamAccountEvents": { p in
            let all = try await p.expect(200, .get, "/v1/stream?from=0")
            #expect(all.text.hasPrefix("retry: 2000\n\n: open\n\n"))
            #expect(all.text.contains("event: project.created\n"))
            try await p.expect(200, .get, "/v1/stream", as: "fabricator", headers: [HTTPField.Name("Last-Event-ID")!: "3"])
            try await p.expect(400, .get, "/v1/stream?from=x")
            try await p.expect(400, .get, "/v1/stream", headers: [HTTPField.Name("Last-Event-ID")!: "-1"])
            try await p.unauthorized(.get, "/v1/stream")
        },
        "streamProjectEvents": { p in
            let approved = p.world.project("approved").lowercased
            let past = try await p.expect(200, .get, "/v1/projects/\(approved)/stream?from=0", as: "fabricator")
            #expect(past.text.contains("event: project.status_changed\n"))
            try await p.expect(400, .get, "/v1/projects/\(approved)/stream?from=1.5")
            try await p.expect(404, .get, "/v1/projects/\(p.world.project("draft").lowercased)/stream", as: "fabricator")
            try await p.unauthorized(.get, "/v1/projects/\(approved)/stream")
        },
    ]
}

/// Presence (``OpenAPIConformanceTests``).
extension OpenAPIConformanceTests {
    static let presence: [String: Scenario] = [
        "heartbeatPresence": { p in
            let approved = p.world.project("approved").lowercased
            let reply = try await p.expect(200, .post, "/v1/projects/\(approved)/presence", as: "fabricator")
            #expect(reply.items.count == 1)
            try await p.expect(404, .post, "/v1/projects/\(p.world.project("draft").lowercased)/presence", as: "fabricator")
            try await p.unauthorized(.post, "/v1/projects/\(approved)/presence")
        },
        "listPresence": { p in
            let own = p.world.project("own").lowercased
            try await p.expect(200, .get, "/v1/projects/\(own)/presence", as: "client")
            try await p.expect(404, .get, "/v1/projects/\(UUID().lowercased)/presence")
            try await p.unauthorized(.get, "/v1/projects/\(own)/presence")
        },
    ]
}
