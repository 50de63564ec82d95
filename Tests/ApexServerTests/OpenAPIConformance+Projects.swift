import ApexDomain
import Foundation
import HTTPTypes
import Testing

/// Projects and their lifecycle (``OpenAPIConformanceTests``).
extension OpenAPIConformanceTests {
    static let projects: [String: Scenario] = [
        "createProject": { p in
            try await p.expect(201, .post, "/v1/projects", json: ["name": "Pylon"])
            try await p.expect(
                201, .post, "/v1/projects", as: "estimator",
                json: [
                    "name": "Monument sign", "description": "Two faces\nlit", "client_id": .string(p.world.user("client").lowercased),
                    "tags": ["north", "lit"], "site": ["address": "1 Main St", "city": "Austin", "state": "TX", "country": "US"],
                ])
            try await p.malformed(.post, "/v1/projects")
            try await p.unauthorized(.post, "/v1/projects", json: ["name": "Pylon"])
            try await p.expect(403, .post, "/v1/projects", as: "engineer", json: ["name": "Pylon"])
            try await p.tooLarge(.post, "/v1/projects")
            try await p.expect(422, .post, "/v1/projects", json: ["name": ""])
        },
        "listProjects": { p in
            let all = try await p.expect(200, .get, "/v1/projects?deleted=true&limit=2")
            #expect(all["next_cursor"]?.stringValue != nil)
            try await p.expect(200, .get, "/v1/projects?status=approved", as: "fabricator")
            try await p.expect(200, .get, "/v1/projects?q=pylon&created_from=2020-01-01", as: "client")
            try await p.expect(400, .get, "/v1/projects?status=nope")
            try await p.unauthorized(.get, "/v1/projects")
        },
        "getProject": { p in
            for state in ["draft", "approved", "deleted"] { try await p.expect(200, .get, path(p, state)) }
            try await p.expect(200, .get, path(p, "own"), as: "client")
            try await p.unauthorized(.get, path(p, "draft"))
            try await p.expect(404, .get, path(p, "draft"), as: "fabricator")
        },
        "updateProject": { p in
            let draft = path(p, "draft")
            try await p.expect(200, .patch, draft, json: ["name": "Renamed", "tags": ["b", "a"], "site": ["city": "Austin"]])
            try await p.expect(
                200, .patch, draft, json: ["description": nil, "client_id": .string(p.world.user("client").lowercased), "site": nil],
                headers: [.contentType: "application/merge-patch+json", .ifMatch: "\"4\""])
            try await p.malformed(.patch, draft)
            try await p.unauthorized(.patch, draft, json: ["name": "X"])
            try await p.expect(403, .patch, draft, as: "engineer", json: ["name": "X"])
            try await p.expect(404, .patch, "/v1/projects/\(UUID().lowercased)", json: ["name": "X"])
            try await p.expect(409, .patch, path(p, "deleted"), json: ["name": "X"])
            try await p.expect(412, .patch, draft, json: ["name": "X"], headers: [.ifMatch: "\"1\""])
            try await p.tooLarge(.patch, draft)
            try await p.expect(422, .patch, draft, json: [:])
        },
        "deleteProject": { p in
            let draft = path(p, "draft")
            try await p.malformed(.delete, draft)
            try await p.unauthorized(.delete, draft, json: ["reason": "duplicate"])
            try await p.expect(403, .delete, draft, as: "estimator", json: ["reason": "duplicate"])
            try await p.expect(404, .delete, "/v1/projects/\(UUID().lowercased)", json: ["reason": "duplicate"])
            try await p.expect(409, .delete, path(p, "deleted"), json: ["reason": "duplicate"])
            try await p.expect(412, .delete, draft, json: ["reason": "duplicate"], headers: [.ifMatch: "\"1\""])
            try await p.tooLarge(.delete, draft)
            try await p.expect(422, .delete, draft, json: ["reason": ""])
            try await p.expect(200, .delete, draft, json: ["reason": "duplicate"])
        },
        "changeProjectStatus": { p in
            let draft = path(p, "draft") + "/status"
            try await p.expect(200, .post, draft, json: ["status": "estimating"])
            try await p.expect(200, .post, draft, as: "estimator", json: ["status": "submitted", "reason": nil])
            try await p.malformed(.post, draft)
            try await p.expect(400, .post, draft, json: ["status": "nope"])
            try await p.unauthorized(.post, draft, json: ["status": "estimating"])
            try await p.expect(403, .post, draft, as: "engineer", json: ["status": "estimating"])
            try await p.expect(404, .post, "/v1/projects/\(UUID().lowercased)/status", json: ["status": "estimating"])
            try await p.expect(409, .post, draft, json: ["status": "completed"])
            try await p.expect(412, .post, draft, json: ["status": "estimating"], headers: [.ifMatch: "\"1\""])
            try await p.tooLarge(.post, draft)
            try await p.expect(422, .post, draft, json: ["status": "archived"])
            try await p.expect(200, .post, draft, json: ["status": "archived", "reason": "cancelled by the client"])
        },
        "restoreProject": { p in
            let deleted = path(p, "deleted") + "/restore"
            try await p.malformed(.post, deleted)
            try await p.unauthorized(.post, deleted, json: ["reason": "needed"])
            try await p.expect(403, .post, deleted, as: "estimator", json: ["reason": "needed"])
            try await p.expect(404, .post, "/v1/projects/\(UUID().lowercased)/restore", json: ["reason": "needed"])
            try await p.expect(409, .post, path(p, "draft") + "/restore", json: ["reason": "needed"])
            try await p.expect(412, .post, deleted, json: ["reason": "needed"], headers: [.ifMatch: "\"1\""])
            try await p.tooLarge(.post, deleted)
            try await p.expect(422, .post, deleted, json: ["reason": "\u{7}"])
            try await p.expect(200, .post, deleted, json: ["reason": "deleted by mistake"])
        },
        "revertProject": { p in
            let draft = path(p, "draft")
            try await p.send(.patch, draft, json: ["name": "Renamed"])
            try await p.malformed(.post, draft + "/revert")
            try await p.unauthorized(.post, draft + "/revert", json: ["to_version": 1, "reason": "undo"])
            try await p.expect(403, .post, draft + "/revert", as: "engineer", json: ["to_version": 1, "reason": "undo"])
            try await p.expect(404, .post, draft + "/revert", json: ["to_version": 99, "reason": "undo"])
            try await p.expect(409, .post, path(p, "deleted") + "/revert", json: ["to_version": 1, "reason": "undo"])
            try await p.expect(412, .post, draft + "/revert", json: ["to_version": 1, "reason": "undo"], headers: [.ifMatch: "\"1\""])
            try await p.tooLarge(.post, draft + "/revert")
            try await p.expect(422, .post, draft + "/revert", json: ["to_version": 1])
            try await p.expect(200, .post, draft + "/revert", json: ["to_version": 1, "reason": "the old name was right"])
        },
    ]

    /// `/v1/projects/<id>` of a seeded project (`draft`, `approved`, `own`, `deleted`).
    static func path(_ p: ContractProbe, _ state: String) -> String { "/v1/projects/\(p.world.project(state).lowercased)" }
}
