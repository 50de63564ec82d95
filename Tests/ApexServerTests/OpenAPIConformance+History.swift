import ApexDomain
import ApexTestSupport
import Foundation
import HTTPTypes
import Testing

/// A project's past and its calculations (``OpenAPIConformanceTests``).
extension OpenAPIConformanceTests {
    static let history: [String: Scenario] = [
        "listProjectEvents": { p in
            try await p.send(.patch, path(p, "draft"), json: ["name": "Renamed", "site": ["city": "Austin"]])
            for user in ["owner", "estimator"] { try await p.expect(200, .get, path(p, "draft") + "/events", as: user) }
            try await p.expect(200, .get, path(p, "approved") + "/events", as: "fabricator")
            let first = try await p.expect(200, .get, path(p, "approved") + "/events?limit=2")
            #expect(first.items.count == 2 && first["next_from_version"] == 3)
            let last = try await p.expect(200, .get, path(p, "approved") + "/events?from_version=3&limit=200", as: "admin")
            #expect(last.items.first?["version"] == 3 && last["next_from_version"] == .null)
            try await p.expect(400, .get, path(p, "draft") + "/events?from_version=0")
            try await p.expect(400, .get, path(p, "draft") + "/events?limit=201")
            try await p.unauthorized(.get, path(p, "draft") + "/events")
            try await p.expect(404, .get, path(p, "draft") + "/events", as: "client")
        },
        "getProjectVersion": { p in
            try await p.expect(200, .get, path(p, "draft") + "/versions/1")
            try await p.expect(200, .get, path(p, "deleted") + "/versions/4")
            try await p.unauthorized(.get, path(p, "draft") + "/versions/1")
            try await p.expect(404, .get, path(p, "draft") + "/versions/99")
        },
        "diffProjectVersions": { p in
            try await p.expect(200, .get, path(p, "draft") + "/diff")
            try await p.expect(200, .get, path(p, "approved") + "/diff?from=0&to=6")
            try await p.expect(400, .get, path(p, "draft") + "/diff?from=x")
            try await p.unauthorized(.get, path(p, "draft") + "/diff")
            try await p.expect(404, .get, path(p, "draft") + "/diff?to=99")
        },
    ]

    static let calculations: [String: Scenario] = [
        "runCalculation": { p in
            let draft = path(p, "draft") + "/calculations"
            guard let example = p.contract.requestExample(of: "runCalculation") else { throw FixtureError("runCalculation has no request example") }
            try await p.expect(201, .post, draft, json: example)
            try await p.expect(201, .post, draft, json: ["type": "wind_velocity_pressure", "inputs": ["V": 115, "exposure": "C", "z": 15, "Kd": nil]])
            try await p.expect(201, .post, draft, json: ["type": "sign_wind_force", "inputs": ["V": 115, "exposure": "B", "h": 20, "As": 32, "Cf": 1.2]])
            try await p.expect(201, .post, draft, as: "engineer", json: ["type": "pole_base_moment", "inputs": ["F": 1200, "y": 15, "Fb": 24]])
            try await p.malformed(.post, draft)
            try await p.unauthorized(.post, draft, json: ["type": "pole_base_moment", "inputs": ["F": 1, "y": 1, "Fb": 1]])
            try await p.expect(403, .post, path(p, "approved") + "/calculations", as: "fabricator", json: ["type": "pole_base_moment", "inputs": ["F": 1, "y": 1, "Fb": 1]])
            try await p.expect(404, .post, "/v1/projects/\(UUID().lowercased)/calculations", json: ["type": "pole_base_moment", "inputs": ["F": 1, "y": 1, "Fb": 1]])
            try await p.expect(409, .post, path(p, "approved") + "/calculations", json: ["type": "pole_base_moment", "inputs": ["F": 1, "y": 1, "Fb": 1]])
            try await p.expect(412, .post, draft, json: ["type": "pole_base_moment", "inputs": ["F": 1, "y": 1, "Fb": 1]], headers: [.ifMatch: "\"1\""])
            try await p.tooLarge(.post, draft)
            try await p.expect(422, .post, draft, json: ["type": "wind_velocity_pressure", "inputs": ["V": 1, "exposure": "C", "z": 15]])
        },
        "listCalculations": { p in
            try await p.expect(200, .get, path(p, "approved") + "/calculations")
            try await p.expect(200, .get, path(p, "own") + "/calculations", as: "client")
            try await p.unauthorized(.get, path(p, "draft") + "/calculations")
            try await p.expect(404, .get, path(p, "draft") + "/calculations", as: "fabricator")
        },
        "reviseCalculation": { p in
            let calc = path(p, "draft") + "/calculations/\(p.world.calcs["draft"]!.lowercased)"
            let inputs: JSONValue = ["inputs": ["V": 120, "exposure": "D", "z": 30]]
            try await p.expect(200, .put, calc, json: inputs)
            try await p.malformed(.put, calc)
            try await p.unauthorized(.put, calc, json: inputs)
            try await p.expect(403, .put, path(p, "approved") + "/calculations/\(p.world.calcs["approved"]!.lowercased)", as: "fabricator", json: inputs)
            try await p.expect(404, .put, path(p, "draft") + "/calculations/\(UUID().lowercased)", json: inputs)
            try await p.expect(409, .put, path(p, "approved") + "/calculations/\(p.world.calcs["approved"]!.lowercased)", json: inputs)
            try await p.expect(412, .put, calc, json: inputs, headers: [.ifMatch: "\"1\""])
            try await p.tooLarge(.put, calc)
            try await p.expect(422, .put, calc, json: ["inputs": ["V": 120, "exposure": "D", "z": 900]])
        },
        "approveCalculation": { p in
            let calc = path(p, "draft") + "/calculations/\(p.world.calcs["draft"]!.lowercased)/approve"
            try await p.malformed(.post, calc)
            try await p.unauthorized(.post, calc, json: ["revision": 1, "reason": "checked"])
            try await p.expect(403, .post, calc, as: "engineer-nope", json: ["revision": 1, "reason": "checked"])
            try await p.expect(404, .post, path(p, "draft") + "/calculations/\(UUID().lowercased)/approve", json: ["revision": 1, "reason": "checked"])
            try await p.expect(412, .post, calc, json: ["revision": 1, "reason": "checked"], headers: [.ifMatch: "\"1\""])
            try await p.tooLarge(.post, calc)
            try await p.expect(422, .post, calc, json: ["revision": 1])
            try await p.expect(201, .post, calc, as: "engineer", json: ["revision": 1, "reason": "checked against the drawings"])
            try await p.expect(409, .post, calc, json: ["revision": 1, "reason": "checked"])
        },
    ]
}
