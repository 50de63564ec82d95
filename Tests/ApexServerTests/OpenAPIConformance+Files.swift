import ApexDomain
import ApexFiles
import ApexServer
import Foundation
import HTTPTypes
import Testing

/// Files, their content and signed links (``OpenAPIConformanceTests``; uploads capped at 4096 bytes).
extension OpenAPIConformanceTests {
    static let multipart: HTTPFields = [.contentType: Multipart.contentType]

    /// A file uploaded by the owner to the `state` project; its path.
    static func uploaded(_ p: ContractProbe, _ state: String = "draft", _ content: String = "drawing bytes") async throws -> String {
        let reply = try await p.client.call(
            .post, files(p, state), as: p.world.token("owner"), raw: Multipart.body(content, type: "application/octet-stream"), headers: multipart)
        let fid = try #require(reply["file_id"]?.stringValue, "\(reply.text)")
        return "/v1/projects/\(p.world.project(state).lowercased)/files/\(fid)"
    }

    static func files(_ p: ContractProbe, _ state: String = "draft") -> String { "/v1/projects/\(p.world.project(state).lowercased)/files" }

    static let files: [String: Scenario] = [
        "uploadFile": { p in
            try await p.expect(201, .post, files(p), raw: Multipart.body("sheet 1", description: "first issue"), headers: multipart)
            try await p.expect(400, .post, files(p), raw: Multipart.body("x", extra: "colour"), headers: multipart)
            try await p.unauthorized(.post, files(p))
            try await p.expect(403, .post, files(p, "own"), as: "client", raw: Multipart.body("x"), headers: multipart)
            try await p.expect(404, .post, "/v1/projects/\(UUID().lowercased)/files", raw: Multipart.body("x"), headers: multipart)
            try await p.expect(409, .post, files(p, "deleted"), raw: Multipart.body("x"), headers: multipart)
            try await p.expect(413, .post, files(p), raw: Multipart.body(String(repeating: "x", count: 5000)), headers: multipart)
            try await p.expect(415, .post, files(p), json: ["file": "x"])
            try await p.expect(422, .post, files(p), raw: Multipart.body(""), headers: multipart)
        },
        "listFiles": { p in
            _ = try await uploaded(p)
            let list = try await p.expect(200, .get, files(p), as: "engineer")
            #expect(list.items.count == 1)
            try await p.unauthorized(.get, files(p))
            try await p.expect(404, .get, files(p), as: "client")
        },
        "getFile": { p in
            let path = try await uploaded(p)
            try await p.expect(200, .get, path, as: "estimator")
            try await p.unauthorized(.get, path)
            try await p.expect(404, .get, files(p) + "/\(UUID().lowercased)")
        },
        "deleteFile": { p in
            let path = try await uploaded(p)
            try await p.malformed(.delete, path)
            try await p.unauthorized(.delete, path, json: ["reason": "superseded"])
            try await p.expect(403, .delete, path, as: "estimator", json: ["reason": "superseded"])
            try await p.expect(404, .delete, files(p) + "/\(UUID().lowercased)", json: ["reason": "superseded"])
            try await p.expect(409, .delete, files(p, "deleted") + "/\(UUID().lowercased)", json: ["reason": "superseded"])
            try await p.tooLarge(.delete, path)
            try await p.expect(422, .delete, path, json: [:])
            try await p.expect(204, .delete, path, json: ["reason": "superseded"])
        },
        "uploadFileRevision": { p in
            let path = try await uploaded(p) + "/revisions"
            try await p.expect(201, .post, path, as: "engineer", raw: Multipart.body("sheet 1 rev B"), headers: multipart)
            try await p.expect(400, .post, path, raw: String(Multipart.body("cut").dropLast(12)), headers: multipart)
            try await p.unauthorized(.post, path)
            try await p.expect(403, .post, try await uploaded(p, "own") + "/revisions", as: "client", raw: Multipart.body("x"), headers: multipart)
            try await p.expect(404, .post, files(p) + "/\(UUID().lowercased)/revisions", raw: Multipart.body("x"), headers: multipart)
            try await p.expect(413, .post, path, raw: Multipart.body(String(repeating: "x", count: 5000)), headers: multipart)
            try await p.expect(415, .post, path, raw: "plain", headers: [.contentType: "text/plain"])
            try await p.expect(422, .post, path, raw: Multipart.body("x", filename: "a/b.pdf"), headers: multipart)
        },
        "getFileContent": { p in
            let path = try await uploaded(p, "draft", "0123456789")
            let content = path + "/content"
            let whole = try await p.expect(200, .get, content, as: "engineer")
            try await p.expect(206, .get, content, headers: [.range: "bytes=2-4"])
            try await p.expect(304, .get, content, headers: [.ifNoneMatch: whole.eTag ?? ""])
            try await p.expect(400, .get, content + "?revision=0")
            try await p.unauthorized(.get, content)
            try await p.expect(404, .get, content + "?revision=2")
            try await p.expect(416, .get, content, headers: [.range: "bytes=10-"])
            // A revision a scanner found infected is never served.
            let fid = UUID(uuidString: String(path.split(separator: "/").last!))!
            try await p.world.seeder().append(FileScanned(fileID: fid, revision: 1, result: .infected, signature: "Eicar"), to: p.world.project("draft"), by: p.world.user("owner"))
            try await p.expect(409, .get, content)
            // Bytes altered on disk are not served.
            let other = try await uploaded(p, "draft", "another file") + "/content"
            let root = String(p.world.configuration.blobURL!.dropFirst(5))
            for blob in p.world.blobFiles() { try Data("altered".utf8).write(to: URL(fileURLWithPath: root + "/" + blob)) }
            try await p.expect(500, .get, other)
        },
        "getFileThumbnail": { p in
            let reply = try await p.client.upload(
                p.world.project("draft"), bytes: TestPNG.make(width: 20, height: 15), filename: "site.png", type: "image/png", as: p.world.token("owner"))
            let fid = try #require(reply["file_id"]?.stringValue, "\(reply.text)")
            let path = files(p) + "/\(fid)/thumbnail"
            try await p.expect(404, .get, path)
            try await p.world.catchUp(FileThumbnails.consumerName)
            let made = try await p.expect(200, .get, path, as: "engineer")
            try await p.expect(304, .get, path, headers: [.ifNoneMatch: made.eTag ?? ""])
            try await p.expect(400, .get, path + "?revision=0")
            try await p.unauthorized(.get, path)
            // An image altered on disk is not served.
            let sha = try #require(made.eTag?.trimmingCharacters(in: CharacterSet(charactersIn: "\"")))
            let root = String(p.world.configuration.blobURL!.dropFirst(5))
            try Data("altered".utf8).write(to: URL(fileURLWithPath: "\(root)/sha256/\(sha.prefix(2))/\(sha)"))
            try await p.expect(500, .get, path)
        },
        "createFileLink": { p in
            let path = try await uploaded(p) + "/links"
            try await p.expect(201, .post, path, as: "estimator", json: ["ttl_seconds": 3600, "revision": 1])
            try await p.malformed(.post, path)
            try await p.unauthorized(.post, path, json: [:])
            try await p.expect(404, .post, path, as: "client", json: [:])
            try await p.tooLarge(.post, path)
            try await p.expect(422, .post, path, json: ["ttl_seconds": 0])
        },
        "getFileByLink": { p in
            let path = try await uploaded(p, "draft", "linked bytes")
            let made = try await p.client.call(.post, path + "/links", as: p.world.token("owner"), json: [:])
            let url = try #require(made["url"]?.stringValue)
            try await p.expect(200, .get, url, as: nil)
            try await p.expect(206, .get, url, as: nil, headers: [.range: "bytes=0-5"])
            try await p.expect(403, .get, url.replacingOccurrences(of: "expires=", with: "expires=1"), as: nil)
            // A link never serves a revision a scanner found infected.
            let quarantined = try await uploaded(p, "draft", "quarantined bytes")
            let qurl = try #require(try await p.client.call(.post, quarantined + "/links", as: p.world.token("owner"), json: [:])["url"]?.stringValue)
            let qid = UUID(uuidString: String(quarantined.split(separator: "/").last!))!
            try await p.world.seeder().append(FileScanned(fileID: qid, revision: 1, result: .infected, signature: "Eicar"), to: p.world.project("draft"), by: p.world.user("owner"))
            try await p.expect(409, .get, qurl, as: nil)
            _ = try await p.client.call(.delete, path, as: p.world.token("owner"), json: ["reason": "withdrawn"])
            try await p.expect(404, .get, url, as: nil)
        },
    ]
}

extension World {
    /// A seeder for this world's account (to append what an older server or another consumer wrote).
    func seeder() -> Seeder { Seeder(store: store, account: account) }
}
