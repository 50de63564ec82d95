import ApexDomain
import Foundation
import HTTPTypes
import Testing

/// Search (``OpenAPIConformanceTests``).
extension OpenAPIConformanceTests {
    static let search: [String: Scenario] = [
        "search": { p in
            let page = try await p.expect(200, .get, "/v1/search?q=pyl&limit=1")
            #expect(page["next_cursor"]?.stringValue != nil)
            try await p.expect(200, .get, "/v1/search?q=wind&type=calculation&status=approved", as: "fabricator")
            try await p.expect(200, .get, "/v1/search?q=pylon&client_id=\(p.world.user("client").lowercased)&tag=x", as: "client")
            try await p.expect(400, .get, "/v1/search?q=")
            try await p.expect(400, .get, "/v1/search?q=pylon&cursor=nope")
            try await p.unauthorized(.get, "/v1/search?q=pylon")
        },
    ]
}
