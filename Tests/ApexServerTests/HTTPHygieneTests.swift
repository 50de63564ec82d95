import ApexDomain
import ApexServer
import ApexStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

/// What every answer carries and what malformed protocol input gets (security review, input
/// findings): invalid UTF-8 is a 400, a malformed `traceparent` is ignored, unsupported methods
/// on known paths are 405 with `Allow`, HEAD works like GET, and responses are never sniffed or
/// cached when they may hold personal data.
@Suite struct HTTPHygieneTests {
    @Test func invalidUTF8InAJSONBodyIsA400AndWritesNothing() async throws {
        try await World.with { world in
            let head = try await world.store.headPosition()
            let path = "/v1/projects/\(world.project("draft").lowercased)"
            try await world.test { client in
                var body = ByteBuffer(string: #"{"name":"Pylon "#)
                body.writeBytes([0xFF, 0xFE, 0xC3])
                body.writeString(#""}"#)
                let response = try await client.executeRequest(
                    uri: path, method: .patch, headers: [.authorization: "Bearer \(world.token("owner"))", .contentType: "application/json"], body: body)
                #expect(response.status == .badRequest)
                let problem = try JSONDecoder().decode(JSONValue.self, from: Data(response.body.readableBytesView))
                #expect(problem["code"] == "malformed_json")
            }
            #expect(try await world.store.headPosition() == head)
        }
    }

    @Test func aMalformedTraceparentIsIgnored() async throws {
        try await World.with { world in
            let path = "/v1/projects/\(world.project("draft").lowercased)"
            let trace = "4bf92f3577b34da6a3ce929d0e0e4736"
            let cases: [(String, String?)] = [
                ("00-\(trace)-00f067aa0ba902b7-01", trace),
                ("ff-\(trace)-00f067aa0ba902b7-01", nil),  // version ff is invalid
                ("00-\(trace)-00f067aa0ba9zzzz-01", nil),  // parent id not hex
                ("00-\(trace)-0000000000000000-01", nil),  // parent id all zero
                ("00-\(trace)-00f067aa0ba902b7", nil),  // no flags
                ("00-\(trace)-00f067aa0ba902b7-0x", nil),  // flags not hex
                ("0-\(trace)-00f067aa0ba902b7-01", nil),  // version one digit
                ("00-\(trace)-00f067aa0ba902b7-01-extra", nil),  // version 00 has exactly four parts
            ]
            for (header, expected) in cases {
                try await world.test { client in
                    let reply = try await client.call(.patch, path, as: world.token("owner"), json: ["description": .string(header)], headers: [.traceparent: header])
                    #expect(reply.code == 200)
                }
                let last = try #require(try await world.store.readStream(.project(world.project("draft"))).last)
                #expect(last.requestMetadata.traceID == expected, "\(header)")
            }
        }
    }

    @Test func unsupportedMethodsOnKnownPathsAre405WithAllow() async throws {
        try await World.with { world in
            let project = "/v1/projects/\(world.project("draft").lowercased)"
            try await world.test { client in
                let cases: [(HTTPRequest.Method, String, String)] = [
                    (.trace, "/v1/projects", "GET, HEAD, POST"),
                    (.options, "/v1/projects", "GET, HEAD, POST"),
                    (.put, project, "DELETE, GET, HEAD, PATCH"),
                    (.options, "/healthz", "GET, HEAD"),
                    (.post, "/v1/me", "GET, HEAD"),
                ]
                for (method, path, allow) in cases {
                    let reply = try await client.call(method, path, as: world.token("owner"))
                    expectProblem(reply, 405, "method_not_allowed")
                    #expect(reply.headers[.allow] == allow, "\(method) \(path)")
                }
                // An unknown path stays a 404, whatever the method.
                expectProblem(try await client.call(.trace, "/v1/nothing-here", as: world.token("owner")), 404, "not_found")
                // HEAD is GET without the body.
                let get = try await client.call(.get, project, as: world.token("owner"))
                let head = try await client.call(.head, project, as: world.token("owner"))
                #expect(head.code == 200)
                #expect(head.text.isEmpty)
                #expect(head.eTag == get.eTag)
            }
        }
    }

    @Test func everyAnswerIsNosniffAndAuthenticatedAnswersAreNoStore() async throws {
        try await World.with { world in
            try await world.test { client in
                let me = try await client.call(.get, "/v1/me", as: world.token("owner"))
                let denied = try await client.call(.get, "/v1/audit/events", as: world.token("client"))
                let unauthorized = try await client.call(.get, "/v1/me")
                let health = try await client.call(.get, "/healthz")
                let missing = try await client.call(.get, "/nothing")
                for reply in [me, denied, unauthorized, health, missing] {
                    #expect(reply.headers[.xContentTypeOptions] == "nosniff", "\(reply.code) \(reply.text)")
                }
                for reply in [me, denied, unauthorized] {
                    #expect(reply.headers[.cacheControl] == "no-store", "\(reply.code) \(reply.text)")
                }
            }
        }
    }
}
