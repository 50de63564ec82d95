import ApexDomain
import ApexServer
import ApexStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// A PE license takes effect only when an owner or admin other than the licensee records or
/// confirms it; the approval names who confirmed it.
@Suite struct PELicenseConfirmationTests {
    static let texas: JSONValue = ["number": "PE-4242", "state": "TX", "expires_on": "2099-12-31"]

    @Test(arguments: StoreKind.allCases)
    func aSelfRecordedLicenseDoesNotApproveUntilAnotherAdminConfirmsIt(_ kind: StoreKind) async throws {
        try await World.with(kind) { world in
            let me = world.user("admin-nope").lowercased, token = world.token("admin-nope")
            let approve = "/v1/projects/\(world.project("draft").lowercased)/calculations/\(world.calcs["draft"]!.lowercased)/approve"
            try await world.test { client in
                let recorded = try await client.call(.patch, "/v1/users/\(me)", as: token, json: ["pe_license": Self.texas])
                #expect(recorded.code == 200, "\(recorded.text)")
                #expect(recorded["pe_license"] == .null)
                #expect(recorded["pe_license_pending"] == Self.texas)
                expectProblem(try await client.call(.post, approve, as: token, json: ["revision": 1, "reason": "mine"]), 403, "pe_license_missing")

                // Confirming one's own license is denied, and the denial is audited.
                let before = try await world.accountVersion()
                let own = try await client.call(.post, "/v1/users/\(me)/pe-license/confirm", as: token)
                expectProblem(own, 403, "self_confirmation")
                #expect(try await world.denials(after: before).count == 1)
                expectProblem(try await client.call(.post, approve, as: token, json: ["revision": 1, "reason": "mine"]), 403, "pe_license_missing")

                // An estimator may not confirm; the owner may.
                expectProblem(try await client.call(.post, "/v1/users/\(me)/pe-license/confirm", as: world.token("estimator")), 403, "role_forbids")
                let confirmed = try await client.call(.post, "/v1/users/\(me)/pe-license/confirm", as: world.token("owner"))
                #expect(confirmed.code == 200, "\(confirmed.text)")
                let owner = world.user("owner").lowercased
                #expect(confirmed["pe_license"]?["confirmed_by"] == .string(owner))
                #expect(confirmed["pe_license_pending"] == .null)
                // Nothing left to confirm.
                expectProblem(try await client.call(.post, "/v1/users/\(me)/pe-license/confirm", as: world.token("owner")), 409, "invalid_transition")

                let approval = try await client.call(.post, approve, as: token, json: ["revision": 1, "reason": "checked"])
                #expect(approval.code == 201, "\(approval.text)")
                #expect(approval["pe_license"]?["confirmed_by"] == .string(owner))
                let event = try #require(try await world.store.readStream(.project(world.project("draft"))).last)
                #expect(event.type == "calculation.approved")
                #expect(event.data["pe_license"]?["confirmed_by"]?.stringValue.flatMap(UUID.init(uuidString:)) == world.user("owner"))
            }
        }
    }

    @Test func aLicenseGivenAtAcceptanceIsPendingUntilConfirmed() async throws {
        try await World.with { world in
            let approve = "/v1/projects/\(world.project("draft").lowercased)/calculations/\(world.calcs["draft"]!.lowercased)/approve"
            try await world.test { client in
                let invited = try await client.call(.post, "/v1/invitations", as: world.token("admin"), json: ["email": "pat@acme.example", "role": "engineer"])
                let joined = try await client.call(
                    .post, "/v1/invitations/accept", json: ["token": invited["token"]!, "name": "Pat", "pe_license": Self.texas])
                #expect(joined.code == 201, "\(joined.text)")
                let pat = try #require(joined["user_id"]?.stringValue), token = try #require(joined["token"]?.stringValue)
                let me = try await client.call(.get, "/v1/me", as: token)
                #expect(me["pe_license"] == .null)
                #expect(me["pe_license_pending"] == Self.texas)
                expectProblem(try await client.call(.post, approve, as: token, json: ["revision": 1, "reason": "ok"]), 403, "pe_license_missing")

                let confirmed = try await client.call(.post, "/v1/users/\(pat)/pe-license/confirm", as: world.token("admin"))
                #expect(confirmed.code == 200, "\(confirmed.text)")
                let approval = try await client.call(.post, approve, as: token, json: ["revision": 1, "reason": "ok"])
                #expect(approval.code == 201, "\(approval.text)")
                #expect(approval["pe_license"]?["confirmed_by"] == .string(world.user("admin").lowercased))
            }
        }
    }

    /// The issuing state is a US state, DC or territory code.
    @Test(arguments: ["ZZ", "XX", "UK", "QC"])
    func anUnknownIssuingStateIs422(_ state: String) async throws {
        try await World.with(withProjects: false) { world in
            let bad = BadInput(
                .patch, "/v1/users/$member", #"{"pe_license":{"number":"PE-1","state":"\#(state)","expires_on":"2099-12-31"}}"#, 422, "invalid_input",
                "pe_license.state")
            try await world.test { client in try await bad.check(in: world, client) }
        }
    }

    @Test(arguments: ["TX", "DC", "PR", "GU", "VI", "MP", "AS", "wy"])
    func usStatesDCAndTerritoriesAreAccepted(_ state: String) async throws {
        try await World.with(withProjects: false) { world in
            try await world.test { client in
                let reply = try await client.call(
                    .patch, "/v1/users/\(world.user("member").lowercased)", as: world.token("owner"),
                    json: ["pe_license": ["number": "PE-1", "state": .string(state), "expires_on": "2099-12-31"]])
                #expect(reply.code == 200, "\(reply.text)")
                #expect(reply["pe_license"]?["state"] == .string(state.uppercased()))
            }
        }
    }
}
