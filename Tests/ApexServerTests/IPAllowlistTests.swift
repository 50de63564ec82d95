import ApexDomain
import ApexServer
import ApexStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// The account's IP allowlist over a real socket behind a trusted proxy (127.0.0.1), so the
/// client address is the one `X-Forwarded-For` names: addresses outside are 403 `ip_not_allowed`
/// (audited), inside (IPv4 and IPv6) are served, and a change that would lock the caller out,
/// or names no range, is a 422 naming the field.
@Suite struct IPAllowlistTests {
    static func from(_ address: String) -> HTTPFields { [.xForwardedFor: address] }

    @Test(arguments: StoreKind.allCases)
    func outsideIs403InsideIsServedAndSelfLockoutIs422(_ kind: StoreKind) async throws {
        let proxies = try TrustedProxies(parsing: "127.0.0.1/32")
        try await World.with(kind, withProjects: false, configure: { $0.trustedProxies = proxies }) { world in
            let owner = world.token("owner"), engineer = world.token("engineer")
            try await world.test(.live) { client in
                let set = try await client.call(
                    .patch, "/v1/account/settings", as: owner, json: ["ip_allowlist": ["203.0.113.0/24", " 2001:db8::/32"]],
                    headers: Self.from("203.0.113.5"))
                #expect(set.code == 200, "\(set.text)")
                #expect(set["ip_allowlist"] == ["203.0.113.0/24", "2001:db8::/32"])
                let version = try await world.store.streamVersion(.account(world.account))

                #expect(try await client.call(.get, "/v1/me", as: engineer, headers: Self.from("203.0.113.77")).code == 200)
                #expect(try await client.call(.get, "/v1/me", as: engineer, headers: Self.from("2001:db8:1::9")).code == 200)
                expectProblem(try await client.call(.get, "/v1/me", as: engineer, headers: Self.from("198.51.100.1")), 403, "ip_not_allowed")
                // The proxy itself (no forwarding header) is not in the list either.
                expectProblem(try await client.call(.get, "/v1/projects", as: owner), 403, "ip_not_allowed")
                let denials = try await world.denials(after: version)
                #expect(denials.count == 2)
                #expect(try denials.map { try $0.payload(as: AccessDenied.self).code } == ["ip_not_allowed", "ip_not_allowed"])
                #expect(denials.first?.requestMetadata.ipAddress?.plaintext == "198.51.100.1")

                // A list without the caller's own address, or with a bad entry, is refused and changes nothing.
                expectProblem(
                    try await client.call(.patch, "/v1/account/settings", as: owner, json: ["ip_allowlist": ["10.0.0.0/8"]], headers: Self.from("203.0.113.5")),
                    422, "would_lock_out", field: "ip_allowlist")
                for bad in ["203.0.113.0/33", "not-an-address", "2001:db8::/129", ""] {
                    expectProblem(
                        try await client.call(.patch, "/v1/account/settings", as: owner, json: ["ip_allowlist": [.string(bad)]], headers: Self.from("203.0.113.5")),
                        422, "invalid_input", field: "ip_allowlist")
                }
                let now = try await client.call(.get, "/v1/account/settings", as: owner, headers: Self.from("203.0.113.5"))
                #expect(now["ip_allowlist"] == ["203.0.113.0/24", "2001:db8::/32"])

                // An empty list lifts the restriction.
                let cleared = try await client.call(.patch, "/v1/account/settings", as: owner, json: ["ip_allowlist": []], headers: Self.from("203.0.113.5"))
                #expect(cleared.code == 200 && cleared["ip_allowlist"] == [])
                #expect(try await client.call(.get, "/v1/me", as: engineer, headers: Self.from("198.51.100.1")).code == 200)
            }
        }
    }

    @Test func admitIsDefaultDenyForAnUnknownAddress() throws {
        let ranges = try AddressRanges(parsing: ["192.0.2.0/24"])
        #expect(AccessPolicy.admit(clientAddress: nil, allowlist: .any).isAllowed)
        #expect(!AccessPolicy.admit(clientAddress: nil, allowlist: ranges).isAllowed)
        #expect(AccessPolicy.admit(clientAddress: "192.0.2.9", allowlist: ranges).isAllowed)
        #expect(AccessPolicy.admit(clientAddress: "::ffff:192.0.2.9", allowlist: ranges).isAllowed)
        #expect(AccessPolicy.admit(clientAddress: "192.0.3.1", allowlist: ranges).denial?.code == .ipNotAllowed)
    }
}
