import ApexDomain
import ApexServer
import ApexStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// One clock decides everything time-bound: token expiry, PE license validity and invitation
/// expiry all follow `ServerConfiguration.clock`, here fixed far from the wall clock.
@Suite struct ClockTests {
    static let noon = Timestamp.parse("2030-06-01T12:00:00Z")!

    @Test func tokensExpireByTheServersClock() async throws {
        try await World.with(withProjects: false, configure: { $0.clock = { Self.noon } }) { world in
            let owner = world.user("owner")
            let elevenHoursAgo = try await world.rebuilt { $0.clock = { Self.noon.addingTimeInterval(-11 * 3600) } }
            let thirteenHoursAgo = try await world.rebuilt { $0.clock = { Self.noon.addingTimeInterval(-13 * 3600) } }
            let fresh = try await elevenHoursAgo.api.issueToken(user: owner, account: world.account)
            let stale = try await thirteenHoursAgo.api.issueToken(user: owner, account: world.account)
            try await world.test { client in
                // Issued at the fixed clock: valid at it, although the wall clock is years away.
                #expect(try await client.call(.get, "/v1/me", as: world.token("owner")).code == 200)
                #expect(try await client.call(.get, "/v1/me", as: fresh).code == 200)
                expectProblem(try await client.call(.get, "/v1/me", as: stale), 401, "unauthorized")
            }
        }
    }

    @Test func aPELicenseIsValidThroughItsExpiryDay() async throws {
        try await World.with(configure: { $0.clock = { Self.noon } }) { world in
            let path = "/v1/projects/\(world.project("draft").lowercased)/calculations/\(world.calcs["draft"]!.lowercased)/approve"
            let engineer = "/v1/users/\(world.user("engineer").lowercased)"
            try await world.test { client in
                let expiredYesterday = try await client.call(
                    .patch, engineer, as: world.token("owner"), json: ["pe_license": ["number": "PE-1001", "state": "TX", "expires_on": "2030-05-31"]])
                #expect(expiredYesterday.code == 200, "\(expiredYesterday.text)")
                let denied = try await client.call(.post, path, as: world.token("engineer"), json: ["revision": 1, "reason": "stamped"])
                expectProblem(denied, 403, "pe_license_expired")
                #expect(denied["detail"]?.stringValue?.contains("2030-05-31") == true)

                _ = try await client.call(.patch, engineer, as: world.token("owner"), json: ["pe_license": ["number": "PE-1001", "state": "TX", "expires_on": "2030-06-01"]])
                let approved = try await client.call(.post, path, as: world.token("engineer"), json: ["revision": 1, "reason": "stamped"])
                #expect(approved.code == 201, "\(approved.text)")
                #expect(approved["pe_license"]?["expires_on"] == "2030-06-01")
            }
        }
    }

    @Test func invitationsExpireByTheServersClock() async throws {
        try await World.with(withProjects: false, configure: { $0.clock = { Self.noon } }) { world in
            let weekLater = try await world.rebuilt { $0.clock = { Self.noon.addingTimeInterval(7 * 86_400 + 1) } }
            let invited = try await world.test { client in
                try await client.call(.post, "/v1/invitations", as: world.token("owner"), json: ["email": "later@acme.example", "role": "estimator"])
            }
            #expect(invited["expires_at"] == "2030-06-08T12:00:00.000000Z")
            let token = try #require(invited["token"]?.stringValue)
            try await weekLater.test { client in
                expectProblem(try await client.call(.post, "/v1/invitations/accept", json: ["token": .string(token), "name": "Late"]), 404, "not_found")
            }
            try await world.test { client in
                let accepted = try await client.call(.post, "/v1/invitations/accept", json: ["token": .string(token), "name": "On time"])
                #expect(accepted.code == 201, "\(accepted.text)")
            }
        }
    }
}
