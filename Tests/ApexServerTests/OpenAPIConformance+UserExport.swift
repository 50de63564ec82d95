import ApexDomain
import ApexStore
import Foundation
import HTTPTypes
import Testing

/// A person's export, GDPR Art. 15/20 (``OpenAPIConformanceTests``).
extension OpenAPIConformanceTests {
    static let userExport: [String: Scenario] = [
        "exportUser": { p in
            let member = p.world.user("member").lowercased
            let path = "/v1/users/\(member)/export"
            let export = try await p.expect(200, .get, path)
            #expect(export["user"]?["user_id"] == .string(member))
            try await p.expect(200, .get, path, as: "member")
            try await p.expect(200, .get, path + "?limit=1&from_position=0", as: "admin")
            try await p.expect(400, .get, path + "?limit=500")
            try await p.expect(400, .get, path + "?from_position=-1")
            try await p.unauthorized(.get, path)
            try await p.expect(403, .get, path, as: "engineer")
            try await p.expect(404, .get, "/v1/users/\(UUID().lowercased)/export")
        },
    ]
}
