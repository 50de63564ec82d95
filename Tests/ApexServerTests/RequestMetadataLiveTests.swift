import ApexDomain
import ApexServer
import ApexStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// Where an event came from, through a real socket (the peer is 127.0.0.1): the trusted-proxy
/// rules, the raw forwarding header, request ids and trace ids, as recorded on the event and
/// shown in the project's audit trail (addresses and user agent to owner and admin only).
@Suite struct RequestMetadataLiveTests {
    static let traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"

    /// PATCHes the draft project over `.live` with `headers` as the owner; returns the response's
    /// request id and the last audit entry's `request_metadata` as the owner and the estimator see it.
    static func edit(_ world: World, headers: HTTPFields) async throws -> (requestID: String?, owner: JSONValue?, estimator: JSONValue?) {
        let path = "/v1/projects/\(world.project("draft").lowercased)"
        return try await world.test(.live) { client in
            let edit = try await client.call(.patch, path, as: world.token("owner"), json: ["description": .string(UUID().uuidString)], headers: headers)
            #expect(edit.code == 200, "\(edit.text)")
            let owner = try await client.call(.get, path + "/events", as: world.token("owner"))
            let estimator = try await client.call(.get, path + "/events", as: world.token("estimator"))
            return (edit.requestID, owner.items.last?["request_metadata"], estimator.items.last?["request_metadata"])
        }
    }

    /// The last event of the draft project, as stored (opened).
    static func lastEvent(_ world: World) async throws -> EventEnvelope {
        try #require(try await world.store.readStream(.project(world.project("draft"))).last)
    }

    @Test func withoutTrustedProxiesASpoofedHeaderNeverChangesTheAddress() async throws {
        try await World.with { world in
            let seen = try await Self.edit(world, headers: [
                .xForwardedFor: "203.0.113.9", .userAgent: "ApexTests/1.0", .xRequestID: "req-live-1", .traceparent: Self.traceparent,
            ])
            #expect(seen.requestID == "req-live-1")
            #expect(seen.owner == [
                "ip_address": "127.0.0.1", "user_agent": "ApexTests/1.0", "x_forwarded_for": "203.0.113.9", "request_id": "req-live-1",
                "trace_id": "4bf92f3577b34da6a3ce929d0e0e4736",
            ])
            // Personal data is for owner and admin only; the ids are not personal.
            #expect(seen.estimator == [
                "ip_address": nil, "user_agent": nil, "x_forwarded_for": nil, "request_id": "req-live-1",
                "trace_id": "4bf92f3577b34da6a3ce929d0e0e4736",
            ])
            let event = try await Self.lastEvent(world)
            #expect(event.requestMetadata.ipAddress?.plaintext == "127.0.0.1")
            #expect(event.requestMetadata.peerAddress?.plaintext == "127.0.0.1")
            #expect(event.requestMetadata.xForwardedFor?.plaintext == "203.0.113.9")
        }
    }

    @Test func behindTrustedProxiesTheFirstUntrustedHopIsTheClient() async throws {
        let proxies = try TrustedProxies(parsing: "127.0.0.1/32,10.0.0.0/8")
        try await World.with(configure: { $0.trustedProxies = proxies }) { world in
            let seen = try await Self.edit(world, headers: [.xForwardedFor: "203.0.113.9, 10.1.2.3", .userAgent: "ApexTests/1.0"])
            #expect(seen.owner?["ip_address"] == "203.0.113.9")
            #expect(seen.owner?["x_forwarded_for"] == "203.0.113.9, 10.1.2.3")
            #expect(seen.estimator?["ip_address"] == .null)
            let event = try await Self.lastEvent(world)
            #expect(event.requestMetadata.peerAddress?.plaintext == "127.0.0.1")

            // A client spoofing a hop in front of the real chain is walked past only as far as the first untrusted address.
            let spoofed = try await Self.edit(world, headers: [.xForwardedFor: "1.2.3.4, 203.0.113.9, 10.1.2.3"])
            #expect(spoofed.owner?["ip_address"] == "203.0.113.9")

            // Two X-Forwarded-For lines (a proxy appending its own) read as one chain.
            var twoLines = HTTPFields()
            twoLines.append(HTTPField(name: .xForwardedFor, value: "203.0.113.10"))
            twoLines.append(HTTPField(name: .xForwardedFor, value: "10.1.2.3"))
            let appended = try await Self.edit(world, headers: twoLines)
            #expect(appended.owner?["ip_address"] == "203.0.113.10")
            #expect(appended.owner?["x_forwarded_for"] == "203.0.113.10, 10.1.2.3")

            // RFC 7239 Forwarded, when there is no X-Forwarded-For.
            let forwarded = try await Self.edit(world, headers: [.forwarded: #"for="198.51.100.7";proto=https"#])
            #expect(forwarded.owner?["ip_address"] == "198.51.100.7")
            #expect(forwarded.owner?["forwarded"] == #"for="198.51.100.7";proto=https"#)
            #expect(forwarded.owner?["x_forwarded_for"] == .null)

            // Without any forwarding header the trusted peer itself is the client.
            let direct = try await Self.edit(world, headers: [:])
            #expect(direct.owner?["ip_address"] == "127.0.0.1")
            #expect(direct.owner?["x_forwarded_for"] == .null)
        }
    }

    /// With both `X-Forwarded-For` and `Forwarded`, both are kept raw (the review found only one kept).
    @Test func bothForwardingHeadersAreKeptRaw() async throws {
        try await World.with { world in
            _ = try await Self.edit(world, headers: [.xForwardedFor: "203.0.113.9", .forwarded: #"for="198.51.100.7";proto=https"#])
            let event = try await Self.lastEvent(world)
            #expect(event.requestMetadata.xForwardedFor?.plaintext == "203.0.113.9")
            #expect(event.requestMetadata.forwarded?.plaintext == #"for="198.51.100.7";proto=https"#)
            // Only Forwarded: kept in its own field, and no longer passed off as X-Forwarded-For.
            _ = try await Self.edit(world, headers: [.forwarded: "for=198.51.100.8"])
            let only = try await Self.lastEvent(world)
            #expect(only.requestMetadata.forwarded?.plaintext == "for=198.51.100.8")
            #expect(only.requestMetadata.xForwardedFor == nil)
        }
    }

    @Test func denialsCarryTheRequestsMetadataToo() async throws {
        let proxies = try TrustedProxies(parsing: "127.0.0.1/32,10.0.0.0/8")
        try await World.with(configure: { $0.trustedProxies = proxies }) { world in
            let before = try await world.accountVersion()
            let reply = try await world.test(.live) { client in
                try await client.call(
                    .delete, "/v1/projects/\(world.project("draft").lowercased)", as: world.token("engineer"), json: ["reason": "no"],
                    headers: [.xForwardedFor: "203.0.113.77, 10.9.9.9", .userAgent: "curl/8", .xRequestID: "deny-1"])
            }
            expectProblem(reply, 403, "role_forbids")
            let denial = try #require(try await world.denials(after: before).first)
            #expect(denial.requestMetadata.ipAddress?.plaintext == "203.0.113.77")
            #expect(denial.requestMetadata.userAgent?.plaintext == "curl/8")
            #expect(denial.requestMetadata.peerAddress?.plaintext == "127.0.0.1")
            #expect(denial.requestMetadata.requestID == "deny-1")
        }
    }

    @Test func requestIDsAreEchoedWhenWellFormedAndReplacedOtherwise() async throws {
        try await World.with { world in
            let longValid = String(repeating: "a", count: 128)
            let cases: [(sent: String, kept: Bool)] = [
                ("abc-123_X.y", true), (longValid, true), (String(repeating: "a", count: 129), false), (String(repeating: "b", count: 200), false),
                ("has spaces", false), ("semi;colon", false), ("ünïcode", false),
            ]
            for (sent, kept) in cases {
                let seen = try await Self.edit(world, headers: [.xRequestID: sent, .traceparent: "not-a-traceparent"])
                let echoed = try #require(seen.requestID)
                if kept {
                    #expect(echoed == sent)
                } else {
                    #expect(echoed != sent)
                    #expect(UUID(uuidString: echoed) != nil, "a replaced request id is a fresh uuid, not \(echoed)")
                }
                // The event records the id the response carried; a malformed traceparent records no trace id.
                #expect(seen.owner?["request_id"] == .string(echoed))
                #expect(seen.owner?["trace_id"] == .null)
            }
        }
    }

    @Test func everyAnswerCarriesTheRequestIDErrorsIncluded() async throws {
        try await World.with(withProjects: false) { world in
            try await world.test { client in
                let unauthorized = try await client.call(.get, "/v1/me", headers: [.xRequestID: "r-401"])
                #expect(unauthorized.requestID == "r-401")
                #expect(unauthorized["request_id"] == "r-401")
                let missing = try await client.call(.get, "/v1/nowhere", as: world.token("owner"), headers: [.xRequestID: "r-404"])
                expectProblem(missing, 404, "not_found")
                #expect(missing.requestID == "r-404")
                let fresh = try await client.call(.get, "/healthz")
                #expect(fresh.requestID.flatMap { UUID(uuidString: $0) } != nil)
            }
        }
    }
}
