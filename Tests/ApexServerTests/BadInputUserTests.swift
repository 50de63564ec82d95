import ApexDomain
import ApexServer
import ApexStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// Bad input on the invitation and user write routes: a 4xx problem with a `code` and `field`,
/// never a 500, nothing written — and a failed acceptance does not use up the invitation.
@Suite struct BadInputUserTests {
    static let cases: [BadInput] = [
        // POST /v1/invitations
        BadInput(.post, "/v1/invitations", #"{"email":"#, 400, "malformed_json"),
        BadInput(.post, "/v1/invitations", "[]", 400, "malformed_json"),
        BadInput(.post, "/v1/invitations", "{}", 400, "missing_field", "email"),
        BadInput(.post, "/v1/invitations", #"{"email":"new@acme.example"}"#, 400, "missing_field", "role"),
        BadInput(.post, "/v1/invitations", #"{"email":5,"role":"admin"}"#, 400, "invalid_type", "email"),
        BadInput(.post, "/v1/invitations", #"{"email":"new@acme.example","role":"boss"}"#, 400, "invalid_field", "role"),
        BadInput(.post, "/v1/invitations", #"{"email":"new@acme.example","role":"admin","team":"x"}"#, 400, "unknown_field", "team"),
        BadInput(.post, "/v1/invitations", #"{"email":"not-an-email","role":"estimator"}"#, 422, "invalid_input", "email"),
        BadInput(.post, "/v1/invitations", #"{"email":"new@acme.example","role":"admin","name":""}"#, 422, "invalid_input", "name"),
        BadInput(.post, "/v1/invitations", #"{"email":"engineer@acme.example","role":"admin"}"#, 409, "already_exists", "email"),
        // PATCH /v1/users/{id}
        BadInput(.patch, "/v1/users/$member", #"{"role":"#, 400, "malformed_json"),
        BadInput(.patch, "/v1/users/$member", #"{"role":"king"}"#, 400, "invalid_field", "role"),
        BadInput(.patch, "/v1/users/$member", #"{"role":5}"#, 400, "invalid_type", "role"),
        BadInput(.patch, "/v1/users/$member", #"{"name":"Renamed"}"#, 400, "unknown_field", "name"),
        BadInput(.patch, "/v1/users/$member", #"{"pe_license":"yes"}"#, 400, "invalid_type", "pe_license"),
        BadInput(.patch, "/v1/users/$member", #"{"pe_license":{"number":"1","state":"TX","expires_on":"soon"}}"#, 400, "invalid_field", "pe_license.expires_on"),
        BadInput(.patch, "/v1/users/$member", #"{"pe_license":{"number":"","state":"TX","expires_on":"2030-01-01"}}"#, 422, "invalid_input", "pe_license.number"),
        BadInput(.patch, "/v1/users/$member", #"{"pe_license":{"number":"1","state":"Texas","expires_on":"2030-01-01"}}"#, 422, "invalid_input", "pe_license.state"),
        BadInput(.patch, "/v1/users/$member", #"{"pe_license":{"number":"1","expires_on":"2030-01-01"}}"#, 400, "missing_field", "pe_license.state"),
        BadInput(.patch, "/v1/users/$member", #"{"pe_license":{"number":"1","state":"TX","expires_on":"2030-01-01","seal":"x"}}"#, 400, "unknown_field", "pe_license.seal"),
        BadInput(.patch, "/v1/users/not-a-uuid", #"{"role":"admin"}"#, 404, "not_found"),
        BadInput(.patch, "/v1/users/$random", #"{"role":"admin"}"#, 404, "not_found"),
        // DELETE /v1/users/{id}
        BadInput(.delete, "/v1/users/$member", nil, 422, "reason_required", "reason"),
        BadInput(.delete, "/v1/users/$member", "reason", 400, "malformed_json"),
        BadInput(.delete, "/v1/users/$member", "{}", 422, "reason_required", "reason"),
        BadInput(.delete, "/v1/users/$member", #"{"reason":"  "}"#, 422, "reason_required", "reason"),
        BadInput(.delete, "/v1/users/$member", #"{"reason":5}"#, 400, "invalid_type", "reason"),
        BadInput(.delete, "/v1/users/$member", #"{"reason":"left","notify":true}"#, 400, "unknown_field", "notify"),
        BadInput(.delete, "/v1/users/nope", #"{"reason":"left"}"#, 404, "not_found"),
        // POST /v1/invitations/accept (no token needed to be refused)
        BadInput(.post, "/v1/invitations/accept", "{", 400, "malformed_json"),
        BadInput(.post, "/v1/invitations/accept", "{}", 400, "missing_field", "token"),
        BadInput(.post, "/v1/invitations/accept", #"{"token":7,"name":"x"}"#, 400, "invalid_type", "token"),
        BadInput(.post, "/v1/invitations/accept", #"{"token":"garbage","name":"Eve"}"#, 404, "not_found"),
        BadInput(.post, "/v1/invitations/accept", #"{"token":"$random.secret","name":"Eve"}"#, 404, "not_found"),
    ]

    @Test(arguments: cases)
    func rejected(_ bad: BadInput) async throws {
        try await World.with(withProjects: false) { world in
            try await world.test { client in try await bad.check(in: world, client) }
        }
    }

    /// With a real invitation token: every bad acceptance writes nothing, and the token still works afterwards.
    @Test func badAcceptancesLeaveTheInvitationUsable() async throws {
        try await World.with(withProjects: false) { world in
            try await world.test { client in
                let invited = try await client.call(
                    .post, "/v1/invitations", as: world.token("owner"), json: ["email": "pe@acme.example", "role": "engineer", "name": "Pat"])
                #expect(invited.code == 201, "\(invited.text)")
                let token = try #require(invited["token"]?.stringValue)
                let head = try await world.store.headPosition()
                let bad: [(JSONValue, Int, String, String?)] = [
                    (["token": .string(token)], 400, "missing_field", "name"),
                    (["token": .string(token), "name": ""], 422, "invalid_input", "name"),
                    (["token": .string(token), "name": "Pat", "pe_license": "yes"], 400, "invalid_type", "pe_license"),
                    (["token": .string(token), "name": "Pat", "pe_license": ["number": "1", "state": "TX", "expires_on": "2030-13-01"]], 400, "invalid_field", "pe_license.expires_on"),
                    (["token": .string(token), "name": "Pat", "pe_license": ["number": "1", "state": "T", "expires_on": "2030-01-01"]], 422, "invalid_input", "pe_license.state"),
                    (["token": .string(token), "name": "Pat", "role": "owner"], 400, "unknown_field", "role"),
                    (["token": .string(token + "x"), "name": "Pat"], 404, "not_found", nil),
                ]
                for (body, status, code, field) in bad {
                    expectProblem(try await client.call(.post, "/v1/invitations/accept", json: body), status, code, field: field)
                }
                #expect(try await world.store.headPosition() == head)
                let accepted = try await client.call(
                    .post, "/v1/invitations/accept", json: ["token": .string(token), "name": "Pat", "pe_license": ["number": "77", "state": "tx", "expires_on": "2030-06-30"]])
                #expect(accepted.code == 201, "\(accepted.text)")
                #expect(accepted["role"] == "engineer")
                // One-time: a second use is a 404, and writes nothing.
                let head2 = try await world.store.headPosition()
                expectProblem(try await client.call(.post, "/v1/invitations/accept", json: ["token": .string(token), "name": "Pat"]), 404, "not_found")
                #expect(try await world.store.headPosition() == head2)
            }
        }
    }

    @Test func anExpiredInvitationCannotBeAccepted() async throws {
        try await World.with(withProjects: false, configure: { $0.invitationLifetime = .seconds(0) }) { world in
            try await world.test { client in
                let invited = try await client.call(.post, "/v1/invitations", as: world.token("owner"), json: ["email": "late@acme.example", "role": "client"])
                let token = try #require(invited["token"]?.stringValue)
                let late = try await client.call(.post, "/v1/invitations/accept", json: ["token": .string(token), "name": "Late"])
                expectProblem(late, 404, "not_found")
                #expect(late["detail"]?.stringValue?.contains("expired") == true)
            }
        }
    }
}
