import ApexDomain
import ApexServer
import ApexStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// Bad input on every project and calculation write route: a 4xx problem with a stable `code`
/// (and the `field` it is about), never a 500, and nothing written.
@Suite struct BadInputProjectTests {
    static let huge = #"{"description":""# + String(repeating: "x", count: 1_100_000) + #""}"#
    static let long201 = String(repeating: "n", count: 201)
    static let wind = #""V":115,"exposure":"C","z":15"#

    static let cases: [BadInput] = [
        // POST /v1/projects
        BadInput(.post, "/v1/projects", #"{"name":"#, 400, "malformed_json"),
        BadInput(.post, "/v1/projects", #"["name"]"#, 400, "malformed_json"),
        BadInput(.post, "/v1/projects", #""just a string""#, 400, "malformed_json"),
        BadInput(.post, "/v1/projects", "", 400, "malformed_json"),
        BadInput(.post, "/v1/projects", "{}", 400, "missing_field", "name"),
        BadInput(.post, "/v1/projects", #"{"name":42}"#, 422, "invalid_input", "name"),
        BadInput(.post, "/v1/projects", #"{"name":""}"#, 422, "invalid_input", "name"),
        BadInput(.post, "/v1/projects", #"{"name":"   "}"#, 422, "invalid_input", "name"),
        BadInput(.post, "/v1/projects", #"{"name":"\#(long201)"}"#, 422, "invalid_input", "name"),
        BadInput(.post, "/v1/projects", #"{"name":"ok","colour":"red"}"#, 400, "unknown_field", "colour"),
        BadInput(.post, "/v1/projects", #"{"name":"ok","status":"approved"}"#, 400, "unknown_field", "status"),
        BadInput(.post, "/v1/projects", #"{"name":"ok","tags":"north"}"#, 422, "invalid_input", "tags"),
        BadInput(.post, "/v1/projects", #"{"name":"ok","tags":[""]}"#, 422, "invalid_input", "tags"),
        BadInput(.post, "/v1/projects", #"{"name":"ok","client_id":"not-a-uuid"}"#, 422, "invalid_input", "client_id"),
        BadInput(.post, "/v1/projects", #"{"name":"ok","site":{"city":7}}"#, 422, "invalid_input", "site.city"),
        BadInput(.post, "/v1/projects", #"{"name":"ok","site":{"planet":"Mars"}}"#, 422, "invalid_input", "site.planet"),
        BadInput(.post, "/v1/projects", huge, 413, "body_too_large"),
        BadInput(.post, "/v1/projects", #"{"name":"ok","client_id":"$member"}"#, 422, "invalid_input", "client_id"),
        BadInput(.post, "/v1/projects", #"{"name":"ok","client_id":"$random"}"#, 422, "invalid_input", "client_id"),
        // PATCH /v1/projects/{id}
        BadInput(.patch, "/v1/projects/$p", #"{"name":"x""#, 400, "malformed_json"),
        BadInput(.patch, "/v1/projects/$p", "[1]", 400, "malformed_json"),
        BadInput(.patch, "/v1/projects/$p", "null", 400, "malformed_json"),
        BadInput(.patch, "/v1/projects/$p", #"{"status":"approved"}"#, 400, "unknown_field", "status"),
        BadInput(.patch, "/v1/projects/$p", #"{"id":"$random"}"#, 400, "unknown_field", "id"),
        BadInput(.patch, "/v1/projects/$p", #"{"name":null}"#, 422, "invalid_input", "name"),
        BadInput(.patch, "/v1/projects/$p", #"{"name":""}"#, 422, "invalid_input", "name"),
        BadInput(.patch, "/v1/projects/$p", #"{"name":"\#(long201)"}"#, 422, "invalid_input", "name"),
        BadInput(.patch, "/v1/projects/$p", #"{"description":5}"#, 422, "invalid_input", "description"),
        BadInput(.patch, "/v1/projects/$p", #"{"tags":[1]}"#, 422, "invalid_input", "tags.0"),
        BadInput(.patch, "/v1/projects/$p", #"{"site":{"planet":"Mars"}}"#, 422, "invalid_input", "site.planet"),
        BadInput(.patch, "/v1/projects/$p", #"{"site":{"city":["Austin"]}}"#, 422, "invalid_input", "site.city"),
        BadInput(.patch, "/v1/projects/$p", "{}", 422, "invalid_input"),
        BadInput(.patch, "/v1/projects/$p", #"{"client_id":"$member"}"#, 422, "invalid_input", "client_id"),
        BadInput(.patch, "/v1/projects/$p", #"{"client_id":"$random"}"#, 422, "invalid_input", "client_id"),
        BadInput(.patch, "/v1/projects/$p", huge, 413, "body_too_large"),
        BadInput(.patch, "/v1/projects/not-a-uuid", #"{"name":"x"}"#, 404, "not_found"),
        BadInput(.patch, "/v1/projects/12345", #"{"name":"x"}"#, 404, "not_found"),
        // POST /v1/projects/{id}/status
        BadInput(.post, "/v1/projects/$p/status", "{", 400, "malformed_json"),
        BadInput(.post, "/v1/projects/$p/status", "{}", 400, "missing_field", "status"),
        BadInput(.post, "/v1/projects/$p/status", #"{"status":"flying"}"#, 400, "invalid_field", "status"),
        BadInput(.post, "/v1/projects/$p/status", #"{"status":3}"#, 400, "invalid_type", "status"),
        BadInput(.post, "/v1/projects/$p/status", #"{"status":"estimating","note":"x"}"#, 400, "unknown_field", "note"),
        BadInput(.post, "/v1/projects/$p/status", #"{"status":"estimating","reason":7}"#, 400, "invalid_type", "reason"),
        BadInput(.post, "/v1/projects/$p/status", #"{"status":"completed"}"#, 409, "invalid_transition", "status"),
        BadInput(.post, "/v1/projects/$p/status", #"{"status":"archived"}"#, 422, "reason_required", "reason"),
        BadInput(.post, "/v1/projects/$a/status", #"{"status":"archived","reason":" "}"#, 422, "reason_required", "reason"),
        BadInput(.post, "/v1/projects/$p/status", #"{"status":"estimating","reason":"\#(String(repeating: "r", count: 2001))"}"#, 422, "invalid_input", "reason"),
        BadInput(.post, "/v1/projects/$a/status", #"{"status":"estimating"}"#, 422, "reason_required", "reason"),
        BadInput(.post, "/v1/projects/bad/status", #"{"status":"estimating"}"#, 404, "not_found"),
        // DELETE /v1/projects/{id} and POST …/restore
        BadInput(.delete, "/v1/projects/$p", nil, 422, "reason_required", "reason"),
        BadInput(.delete, "/v1/projects/$p", "{}", 422, "reason_required", "reason"),
        BadInput(.delete, "/v1/projects/$p", #"{"reason":""}"#, 422, "reason_required", "reason"),
        BadInput(.delete, "/v1/projects/$p", #"{"reason":5}"#, 400, "invalid_type", "reason"),
        BadInput(.delete, "/v1/projects/$p", #"{"why":"x"}"#, 400, "unknown_field", "why"),
        BadInput(.delete, "/v1/projects/$p", #"{"reason":"\#(String(repeating: "r", count: 2001))"}"#, 422, "invalid_input", "reason"),
        BadInput(.delete, "/v1/projects/$p", "reason=cleanup", 400, "malformed_json"),
        BadInput(.delete, "/v1/projects/$d", #"{"reason":"again"}"#, 409, "deleted"),
        BadInput(.post, "/v1/projects/$d/restore", nil, 422, "reason_required", "reason"),
        BadInput(.post, "/v1/projects/$d/restore", #"{"reason":null}"#, 422, "reason_required", "reason"),
        BadInput(.post, "/v1/projects/$p/restore", #"{"reason":"not deleted"}"#, 409, "invalid_transition"),
        // POST /v1/projects/{id}/revert
        BadInput(.post, "/v1/projects/$p/revert", "{}", 400, "missing_field", "to_version"),
        BadInput(.post, "/v1/projects/$p/revert", #"{"to_version":"1","reason":"x"}"#, 400, "invalid_type", "to_version"),
        BadInput(.post, "/v1/projects/$p/revert", #"{"to_version":1.5,"reason":"x"}"#, 400, "invalid_type", "to_version"),
        BadInput(.post, "/v1/projects/$p/revert", #"{"to_version":0,"reason":"x"}"#, 422, "invalid_input", "to_version"),
        BadInput(.post, "/v1/projects/$p/revert", #"{"to_version":99,"reason":"x"}"#, 404, "not_found", "to_version"),
        BadInput(.post, "/v1/projects/$p/revert", #"{"to_version":1}"#, 422, "reason_required", "reason"),
        BadInput(.post, "/v1/projects/$p/revert", #"{"to_version":1,"reason":"x","force":true}"#, 400, "unknown_field", "force"),
        // POST /v1/projects/{id}/calculations
        BadInput(.post, "/v1/projects/$p/calculations", #"{"type":"wind_velocity_pressure","inputs":{"V":500,"exposure":"C","z":15}}"#, 422, "invalid_input", "inputs.V"),
        BadInput(.post, "/v1/projects/$p/calculations", #"{"type":"wind_velocity_pressure","inputs":{"V":59,"exposure":"C","z":15}}"#, 422, "invalid_input", "inputs.V"),
        BadInput(.post, "/v1/projects/$p/calculations", #"{"type":"wind_velocity_pressure","inputs":{"V":"fast","exposure":"C","z":15}}"#, 422, "invalid_input", "inputs.V"),
        BadInput(.post, "/v1/projects/$p/calculations", #"{"type":"wind_velocity_pressure","inputs":{"V":115,"exposure":"E","z":15}}"#, 422, "invalid_input", "inputs.exposure"),
        BadInput(.post, "/v1/projects/$p/calculations", #"{"type":"wind_velocity_pressure","inputs":{\#(wind),"W":1}}"#, 422, "invalid_input", "inputs.W"),
        BadInput(.post, "/v1/projects/$p/calculations", #"{"type":"wind_velocity_pressure"}"#, 422, "invalid_input", "inputs.V"),
        BadInput(.post, "/v1/projects/$p/calculations", #"{"type":"pole_base_moment","inputs":{"F":100,"y":10,"Fb":-1}}"#, 422, "invalid_input", "inputs.Fb"),
        BadInput(.post, "/v1/projects/$p/calculations", #"{"type":"pole_base_moment","inputs":{"F":100,"y":10,"Fb":1e-320}}"#, 422, "invalid_input", "inputs"),
        BadInput(.post, "/v1/projects/$a/calculations", #"{"type":"wind_velocity_pressure","inputs":{\#(wind)}}"#, 409, "project_locked"),
        BadInput(.put, "/v1/projects/$a/calculations/$a1", #"{"inputs":{"V":120,"exposure":"C","z":15}}"#, 409, "project_locked"),
        BadInput(.post, "/v1/projects/$p/calculations", #"{"type":"nope","inputs":{}}"#, 400, "invalid_field", "type"),
        BadInput(.post, "/v1/projects/$p/calculations", #"{"type":5,"inputs":{}}"#, 400, "invalid_type", "type"),
        BadInput(.post, "/v1/projects/$p/calculations", #"{"inputs":{\#(wind)}}"#, 400, "missing_field", "type"),
        BadInput(.post, "/v1/projects/$p/calculations", #"{"type":"wind_velocity_pressure","inputs":[115]}"#, 400, "invalid_type", "inputs"),
        BadInput(.post, "/v1/projects/$p/calculations", #"{"type":"wind_velocity_pressure","inputs":{\#(wind)},"x":1}"#, 400, "unknown_field", "x"),
        BadInput(.post, "/v1/projects/$p/calculations", "not json", 400, "malformed_json"),
        // PUT /v1/projects/{id}/calculations/{cid}
        BadInput(.put, "/v1/projects/$p/calculations/$c", "{}", 400, "missing_field", "inputs"),
        BadInput(.put, "/v1/projects/$p/calculations/$c", #"{"inputs":{"V":10,"exposure":"C","z":15}}"#, 422, "invalid_input", "inputs.V"),
        BadInput(.put, "/v1/projects/$p/calculations/$c", #"{"inputs":{"V":115,"exposure":"C","z":-3}}"#, 422, "invalid_input", "inputs.z"),
        BadInput(.put, "/v1/projects/$p/calculations/$c", #"{"inputs":{\#(wind)},"type":"pole_base_moment"}"#, 400, "unknown_field", "type"),
        BadInput(.put, "/v1/projects/$p/calculations/$c", #"{"inputs":"#, 400, "malformed_json"),
        BadInput(.put, "/v1/projects/$p/calculations/not-a-uuid", #"{"inputs":{\#(wind)}}"#, 404, "not_found"),
        BadInput(.put, "/v1/projects/$p/calculations/$random", #"{"inputs":{\#(wind)}}"#, 404, "not_found"),
        // POST /v1/projects/{id}/calculations/{cid}/approve
        BadInput(.post, "/v1/projects/$p/calculations/$c/approve", "{}", 400, "missing_field", "revision"),
        BadInput(.post, "/v1/projects/$p/calculations/$c/approve", #"{"revision":"1","reason":"x"}"#, 400, "invalid_type", "revision"),
        BadInput(.post, "/v1/projects/$p/calculations/$c/approve", #"{"revision":1}"#, 422, "reason_required", "reason"),
        BadInput(.post, "/v1/projects/$p/calculations/$c/approve", #"{"revision":1,"reason":""}"#, 422, "reason_required", "reason"),
        BadInput(.post, "/v1/projects/$p/calculations/$c/approve", #"{"revision":2,"reason":"x"}"#, 409, "stale_revision", "revision"),
        BadInput(.post, "/v1/projects/$p/calculations/$c/approve", #"{"revision":1,"reason":"x","stamp":"y"}"#, 400, "unknown_field", "stamp"),
        BadInput(.post, "/v1/projects/$a/calculations/$a1/approve", #"{"revision":1,"reason":"again"}"#, 409, "already_exists"),
        BadInput(.post, "/v1/projects/$p/calculations/$random/approve", #"{"revision":1,"reason":"x"}"#, 404, "not_found"),
        BadInput(.post, "/v1/projects/$p/calculations/nope/approve", #"{"revision":1,"reason":"x"}"#, 404, "not_found"),
    ]

    @Test(arguments: cases)
    func rejected(_ bad: BadInput) async throws {
        try await World.with { world in
            try await world.test { client in try await bad.check(in: world, client) }
        }
    }

    /// The limit holds on a real socket too, and follows the configuration.
    @Test func oversizedBodiesAre413OverARealSocketAndByConfiguration() async throws {
        try await World.with(configure: { $0.bodyLimit = 1024 }) { world in
            let head = try await world.store.headPosition()
            let path = "/v1/projects/\(world.project("draft").lowercased)"
            let small = #"{"description":"\#(String(repeating: "s", count: 900))"}"#
            let big = #"{"description":"\#(String(repeating: "b", count: 2000))"}"#
            try await world.test(.live) { client in
                expectProblem(try await client.call(.patch, path, as: world.token("owner"), raw: Self.huge), 413, "body_too_large")
                expectProblem(try await client.call(.patch, path, as: world.token("owner"), raw: big), 413, "body_too_large")
                expectProblem(try await client.call(.post, "/v1/projects", as: world.token("owner"), raw: big), 413, "body_too_large")
                #expect(try await world.store.headPosition() == head)
                let fits = try await client.call(.patch, path, as: world.token("owner"), raw: small)
                #expect(fits.code == 200, "\(fits.text)")
            }
        }
    }
}
