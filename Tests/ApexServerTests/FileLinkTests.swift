import ApexDomain
import ApexServer
import ApexStore
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

/// Signed direct links: served without a token until they expire; refused when expired or when
/// any part of them is changed, without telling whether the file exists.
@Suite struct FileLinkTests {
    @Test(arguments: StoreKind.allCases)
    func aLinkWorksUntilItExpiresAndNotWhenForged(_ kind: StoreKind) async throws {
        try await World.withFiles(kind) { world in
            let project = world.project("draft")
            let url = try await world.test { client -> String in
                let up = try await client.upload(project, "signed bytes", as: world.token("owner"))
                let fid = try #require(up["file_id"]?.stringValue)
                let made = try await client.call(
                    .post, "/v1/projects/\(project.lowercased)/files/\(fid)/links", as: world.token("estimator"), json: ["ttl_seconds": 60])
                #expect(made.code == 201, "\(made.text)")
                let url = try #require(made["url"]?.stringValue)
                #expect(url.hasPrefix("/v1/file-links/\(project.lowercased)/\(fid)/1?expires="))
                let expires = try #require(made["expires_at"]?.stringValue.flatMap(Timestamp.parse))
                #expect(abs(expires.timeIntervalSinceNow - 60) < 5)

                let got = try await client.call(.get, url)
                #expect(got.code == 200, "\(got.text)")
                #expect(got.text == "signed bytes")
                #expect(try await client.call(.get, url, headers: [.range: "bytes=0-5"]).text == "signed")

                // Any byte of the signature, the revision, the expiry or the ids changed: 403, the same answer.
                let signature = String(url[url.range(of: "signature=")!.upperBound...])
                var flipped = Array(signature)
                flipped[3] = flipped[3] == "A" ? "B" : "A"
                let forgeries = [
                    url.replacingOccurrences(of: signature, with: String(flipped)),
                    url.replacingOccurrences(of: "/1?expires=", with: "/2?expires="),
                    url.replacingOccurrences(of: "expires=", with: "expires=9"),
                    url.replacingOccurrences(of: project.lowercased, with: UUID().lowercased),
                    url.replacingOccurrences(of: fid, with: UUID().lowercased),
                    String(url[..<url.range(of: "&signature=")!.lowerBound]),
                ]
                var answers: [JSONValue] = []
                for forged in forgeries {
                    let reply = try await client.call(.get, forged)
                    expectProblem(reply, 403, "invalid_link")
                    answers.append(reply.problemWithoutRequestID)
                }
                #expect(answers.allSatisfy { $0 == answers[0] })
                // The link is the project's own event.
                let links = try await world.fileEvents(project).filter { $0.type == "file.link_created" }
                #expect(links.count == 1)
                #expect(links.first?.actor.userID == world.user("estimator"))
                // A client cannot make a link to a file of a project it may not see.
                expectProblem(
                    try await client.call(.post, "/v1/projects/\(project.lowercased)/files/\(fid)/links", as: world.token("client"), json: [:]), 404,
                    "not_found")
                expectProblem(
                    try await client.call(.post, "/v1/projects/\(project.lowercased)/files/\(fid)/links", as: world.token("owner"), json: ["ttl_seconds": 604_801]),
                    422, "invalid_input", field: "ttl_seconds")
                return url
            }
            // An hour later the same link is expired.
            let later = try await world.rebuilt(configure: { $0.clock = { Date().addingTimeInterval(3600) } })
            try await later.test { client in
                expectProblem(try await client.call(.get, url), 403, "link_expired")
            }
            // A deleted file's link, still current, is 404.
            try await world.test { client in
                let fid = String(url.split(separator: "/")[3])
                let gone = try await client.call(.delete, "/v1/projects/\(project.lowercased)/files/\(fid)", as: world.token("owner"), json: ["reason": "withdrawn"])
                #expect(gone.code == 204)
                expectProblem(try await client.call(.get, url), 404, "not_found")
            }
        }
    }
}
