import ApexDomain
import ApexMetrics
import ApexServer
import ApexStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// Rate limits through the real router on a real socket behind a trusted proxy (127.0.0.1), so
/// each `X-Forwarded-For` address is a client of its own: token buckets per address and per
/// user, the stricter one on routes without a token, the 401 budget per address; a refusal is a
/// 429 problem `rate_limited` with `Retry-After` and the IETF `RateLimit-Policy`/`RateLimit`
/// fields, counted in the metrics, and the bucket refills.
@Suite struct RateLimitTests {
    static let proxies = try! TrustedProxies(parsing: "127.0.0.1/32")
    static func from(_ address: String) -> HTTPFields { [.xForwardedFor: address] }
    static let policy = HTTPField.Name("RateLimit-Policy")!
    static let limit = HTTPField.Name("RateLimit")!

    static func configure(_ limits: RateLimits) -> (inout ServerConfiguration) -> Void {
        { $0.trustedProxies = proxies; $0.rateLimits = limits }
    }

    @Test(arguments: StoreKind.allCases)
    func aUserBurstIs429WithRetryAfterAndTheLimitResets(_ kind: StoreKind) async throws {
        let limits = RateLimits(address: nil, user: .init(quota: 3, windowSeconds: 6), publicRoutes: nil, unauthorized: nil)
        try await World.with(kind, withProjects: false, configure: Self.configure(limits)) { world in
            try await world.test(.live) { client in
                for remaining in [2, 1, 0] {
                    let ok = try await client.call(.get, "/v1/me", as: world.token("engineer"), headers: Self.from("203.0.113.5"))
                    #expect(ok.code == 200)
                    #expect(ok.headers[Self.policy] == "\"user\";q=3;w=6")
                    #expect(ok.headers[Self.limit]?.hasPrefix("\"user\";r=\(remaining);t=") == true, "\(ok.headers)")
                }
                // The same user from another address shares the bucket: the limit is per user.
                let refused = try await client.call(.get, "/v1/me", as: world.token("engineer"), headers: Self.from("198.51.100.7"))
                expectProblem(refused, 429, "rate_limited")
                let retry = try #require(refused.headers[.retryAfter].flatMap { Int($0) })
                #expect((1...2).contains(retry), "one token comes back every 2 s")
                #expect(refused.headers[Self.policy] == "\"user\";q=3;w=6")
                #expect(refused.headers[Self.limit] == "\"user\";r=0;t=\(retry)")
                // Another user is not limited by this one's burst.
                #expect(try await client.call(.get, "/v1/me", as: world.token("owner"), headers: Self.from("203.0.113.5")).code == 200)
                #expect(MetricSamples(await world.api.metrics.scrape())["apex_rate_limited_total{policy=\"user\"}"] == 1)

                try await Task.sleep(for: .seconds(Double(retry) + 0.1))
                #expect(try await client.call(.get, "/v1/me", as: world.token("engineer"), headers: Self.from("203.0.113.5")).code == 200)
            }
        }
    }

    @Test func theAddressLimitCountsEveryRequestOfOneClientAddress() async throws {
        let limits = RateLimits(address: .init(quota: 4, windowSeconds: 60), user: nil, publicRoutes: nil, unauthorized: nil)
        try await World.with(withProjects: false, configure: Self.configure(limits)) { world in
            try await world.test(.live) { client in
                for name in ["owner", "admin", "engineer", "estimator"] {
                    #expect(try await client.call(.get, "/v1/me", as: world.token(name), headers: Self.from("203.0.113.5")).code == 200)
                }
                let refused = try await client.call(.get, "/v1/me", as: world.token("client"), headers: Self.from("203.0.113.5"))
                expectProblem(refused, 429, "rate_limited")
                #expect(refused.headers[Self.policy] == "\"address\";q=4;w=60")
                #expect(refused.headers[.retryAfter] == "15")
                // Another address, and the health checks, are not limited.
                #expect(try await client.call(.get, "/v1/me", as: world.token("client"), headers: Self.from("203.0.113.6")).code == 200)
                #expect(try await client.call(.get, "/healthz", headers: Self.from("203.0.113.5")).code == 200)
            }
        }
    }

    @Test(arguments: StoreKind.allCases)
    func routesWithoutATokenHaveTheStricterLimit(_ kind: StoreKind) async throws {
        let limits = RateLimits(address: .init(quota: 100, windowSeconds: 60), user: nil, publicRoutes: .init(quota: 2, windowSeconds: 60), unauthorized: nil)
        try await World.with(kind, withProjects: false, configure: Self.configure(limits)) { world in
            try await world.test(.live) { client in
                let guess: JSONValue = ["token": .string("\(world.account.lowercased).guess"), "name": "Mallory"]
                for _ in 0..<2 {
                    expectProblem(try await client.call(.post, "/v1/invitations/accept", json: guess, headers: Self.from("203.0.113.5")), 404, "not_found")
                }
                let refused = try await client.call(.post, "/v1/invitations/accept", json: guess, headers: Self.from("203.0.113.5"))
                expectProblem(refused, 429, "rate_limited")
                #expect(refused.headers[Self.policy] == "\"public\";q=2;w=60")
                // The signed file links are public routes too, on the same budget.
                expectProblem(
                    try await client.call(.get, "/v1/file-links/\(UUID())/\(UUID())/1?expires=1&sig=x", headers: Self.from("203.0.113.5")), 429, "rate_limited")
                // The authenticated API from that address is not held back by it.
                let me = try await client.call(.get, "/v1/me", as: world.token("owner"), headers: Self.from("203.0.113.5"))
                #expect(me.code == 200)
                #expect(me.headers[Self.policy] == "\"address\";q=100;w=60")
            }
        }
    }

    @Test(arguments: StoreKind.allCases)
    func repeated401sFromOneAddressBlockIt(_ kind: StoreKind) async throws {
        let limits = RateLimits(address: nil, user: nil, publicRoutes: nil, unauthorized: .init(quota: 3, windowSeconds: 9))
        try await World.with(kind, withProjects: false, configure: Self.configure(limits)) { world in
            try await world.test(.live) { client in
                for _ in 0..<3 {
                    expectProblem(try await client.call(.get, "/v1/me", as: "forged.token.value", headers: Self.from("203.0.113.5")), 401, "unauthorized")
                }
                // The budget is spent: every request from the address is refused, a valid token's too.
                let refused = try await client.call(.get, "/v1/me", as: world.token("owner"), headers: Self.from("203.0.113.5"))
                expectProblem(refused, 429, "rate_limited")
                #expect(refused.headers[Self.policy] == "\"unauthorized\";q=3;w=9")
                let retry = try #require(refused.headers[.retryAfter].flatMap { Int($0) })
                // Another address is served.
                #expect(try await client.call(.get, "/v1/me", as: world.token("owner"), headers: Self.from("203.0.113.6")).code == 200)
                #expect(MetricSamples(await world.api.metrics.scrape())["apex_rate_limited_total{policy=\"unauthorized\"}"] == 1)
                try await Task.sleep(for: .seconds(Double(retry) + 0.1))
                #expect(try await client.call(.get, "/v1/me", as: world.token("owner"), headers: Self.from("203.0.113.5")).code == 200)
            }
        }
    }

    @Test func offMeansNoLimitAndNoFields() async throws {
        try await World.with(withProjects: false, configure: Self.configure(.off)) { world in
            try await world.test { client in
                for _ in 0..<50 {
                    let reply = try await client.call(.get, "/v1/me", as: "forged.token.value")
                    #expect(reply.code == 401)
                    #expect(reply.headers[Self.policy] == nil)
                }
            }
        }
    }

    @Test func theSettingParses() throws {
        #expect(try RateLimits(parsing: "off") == .off)
        #expect(try RateLimits(parsing: "default") == RateLimits())
        #expect(RateLimits().address != nil && RateLimits().user != nil && RateLimits().publicRoutes != nil && RateLimits().unauthorized != nil)
        let custom = try RateLimits(parsing: "address=100/1m, public=5/30s,unauthorized=off,user=10/1h")
        #expect(custom.address == .init(quota: 100, windowSeconds: 60))
        #expect(custom.publicRoutes == .init(quota: 5, windowSeconds: 30))
        #expect(custom.unauthorized == nil)
        #expect(custom.user == .init(quota: 10, windowSeconds: 3600))
        for bad in ["address", "address=0/1m", "address=10/0s", "address=10/1d", "addr=10/1m", "user=ten/1m", "user=10"] {
            #expect(throws: ConfigurationError.self, "\(bad)") { try RateLimits(parsing: bad) }
        }
    }
}
