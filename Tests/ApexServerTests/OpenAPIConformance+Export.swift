import ApexDomain
import Foundation
import HTTPTypes
import Testing

/// Exports (``OpenAPIConformanceTests``).
extension OpenAPIConformanceTests {
    static let export: [String: Scenario] = [
        "exportProject": { p in
            let id = p.world.project("approved").lowercased
            let json = try await p.expect(200, .get, "/v1/projects/\(id)/export")
            #expect(json["audit"]?.array?.isEmpty == false)
            try await p.expect(200, .get, "/v1/projects/\(id)/export?format=csv&kind=calculations", as: "fabricator")
            try await p.expect(200, .get, "/v1/projects/\(id)/export?format=xlsx", as: "engineer")
            try await p.expect(400, .get, "/v1/projects/\(id)/export?format=yaml")
            try await p.expect(404, .get, "/v1/projects/\(UUID().lowercased)/export")
            try await p.unauthorized(.get, "/v1/projects/\(id)/export")
        },
        "exportProjects": { p in
            try await p.expect(200, .get, "/v1/exports/projects")
            try await p.expect(200, .get, "/v1/exports/projects?format=csv&status=approved&from=2000-01-01", as: "client")
            try await p.expect(200, .get, "/v1/exports/projects?format=xlsx&to=2100-01-01T00:00:00Z", as: "fabricator")
            try await p.expect(400, .get, "/v1/exports/projects?format=json")
            try await p.unauthorized(.get, "/v1/exports/projects")
        },
    ]
}
