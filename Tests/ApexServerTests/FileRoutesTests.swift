import ApexDomain
import ApexServer
import ApexStore
import Crypto
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

/// Files of a project through the real router, on SQLite and PostgreSQL: upload, download with
/// ETag and Range, revisions, delete, cross-account and role rules, the size cap.
@Suite struct FileRoutesTests {
    static let text = "PDF-1.7 pylon drawing, sheet 1 of 3"

    @Test(arguments: StoreKind.allCases)
    func uploadDownloadRoundTripWithRange(_ kind: StoreKind) async throws {
        try await World.withFiles(kind) { world in
            let project = world.project("draft")
            try await world.test { client in
                let up = try await client.upload(project, Self.text, as: world.token("engineer"), description: "sheet 1")
                #expect(up.code == 201, "\(up.text)")
                #expect(up["revision"]?.numberValue == 1)
                #expect(up["name"]?.stringValue == "drawing.pdf")
                #expect(up["content_type"]?.stringValue == "application/pdf")
                #expect(up["size"]?.numberValue == Double(Self.text.utf8.count))
                #expect(up["status"]?.stringValue == "unscanned")
                #expect(up["description"]?.stringValue == "sheet 1")
                #expect(up["created_by"]?.stringValue == world.user("engineer").lowercased)
                let sha = try #require(up["sha256"]?.stringValue)
                let fid = try #require(up["file_id"]?.stringValue)
                let base = "/v1/projects/\(project.lowercased)/files/\(fid)"

                let whole = try await client.call(.get, base + "/content", as: world.token("owner"))
                #expect(whole.code == 200)
                #expect(whole.text == Self.text)
                #expect(whole.eTag == "\"\(sha)\"")
                #expect(whole.headers[.contentType] == "application/pdf")
                #expect(whole.headers[.contentDisposition]?.hasPrefix("attachment; filename=\"drawing.pdf\"") == true)

                let part = try await client.call(.get, base + "/content", as: world.token("owner"), headers: [.range: "bytes=4-8"])
                #expect(part.code == 206)
                #expect(part.text == "1.7 p")
                #expect(part.headers[.contentRange] == "bytes 4-8/\(Self.text.utf8.count)")
                let tail = try await client.call(.get, base + "/content", as: world.token("owner"), headers: [.range: "bytes=-3"])
                #expect(tail.text == String(Self.text.suffix(3)))
                let beyond = try await client.call(.get, base + "/content", as: world.token("owner"), headers: [.range: "bytes=999-"])
                expectProblem(beyond, 416, "range_not_satisfiable")
                #expect(beyond.headers[.contentRange] == "bytes */\(Self.text.utf8.count)")
                let cached = try await client.call(.get, base + "/content", as: world.token("owner"), headers: [.ifNoneMatch: "\"\(sha)\""])
                #expect(cached.code == 304)

                let list = try await client.call(.get, "/v1/projects/\(project.lowercased)/files", as: world.token("estimator"))
                #expect(list.items.map { $0["file_id"]?.stringValue } == [fid])
                let meta = try await client.call(.get, base, as: world.token("estimator"))
                #expect(meta["revisions"]?.array?.count == 1)
            }
            // The event records the hash; the blob under it is the content.
            let events = try await world.fileEvents(project)
            #expect(events.map(\.type) == ["file.uploaded"])
            #expect(events.first?.data["content"]?["sha256"]?.stringValue == Self.sha256(Self.text))
            #expect(world.blobFiles().count == 1)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func revisionKeepsOlderOnesDownloadable(_ kind: StoreKind) async throws {
        try await World.withFiles(kind) { world in
            let project = world.project("draft")
            try await world.test { client in
                let first = try await client.upload(project, "revision one", as: world.token("owner"))
                let fid = try #require(first["file_id"]?.stringValue.flatMap(UUID.init(uuidString:)))
                let second = try await client.upload(project, "revision two", as: world.token("estimator"), file: fid, filename: "drawing-b.pdf")
                #expect(second.code == 201, "\(second.text)")
                #expect(second["revision"]?.numberValue == 2)
                let base = "/v1/projects/\(project.lowercased)/files/\(fid.lowercased)"
                #expect(try await client.call(.get, base + "/content", as: world.token("owner")).text == "revision two")
                #expect(try await client.call(.get, base + "/content?revision=1", as: world.token("owner")).text == "revision one")
                expectProblem(try await client.call(.get, base + "/content?revision=3", as: world.token("owner")), 404, "not_found")
                expectProblem(try await client.call(.get, base + "/content?revision=x", as: world.token("owner")), 400, "invalid_parameter")
                let meta = try await client.call(.get, base, as: world.token("owner"))
                #expect(meta["revision"]?.numberValue == 2)
                #expect(meta["name"]?.stringValue == "drawing-b.pdf")
                #expect(meta["revisions"]?.array?.map { $0["revision"]?.numberValue } == [1, 2])
                // A revision of a file that does not exist stores nothing.
                let before = world.blobFiles().count
                expectProblem(try await client.upload(project, "stray", as: world.token("owner"), file: UUID()), 404, "not_found")
                #expect(world.blobFiles().count == before)
            }
        }
    }

    @Test(arguments: StoreKind.allCases)
    func deleteNeedsAReasonAndHidesTheFile(_ kind: StoreKind) async throws {
        try await World.withFiles(kind) { world in
            let project = world.project("draft")
            try await world.test { client in
                let up = try await client.upload(project, Self.text, as: world.token("owner"))
                let fid = try #require(up["file_id"]?.stringValue)
                let base = "/v1/projects/\(project.lowercased)/files/\(fid)"
                expectProblem(try await client.call(.delete, base, as: world.token("estimator"), json: ["reason": "old"]), 403, "role_forbids")
                expectProblem(try await client.call(.delete, base, as: world.token("admin")), 422, "reason_required", field: "reason")
                let gone = try await client.call(.delete, base, as: world.token("admin"), json: ["reason": "superseded by sheet 2"])
                #expect(gone.code == 204)
                #expect(try await client.call(.get, "/v1/projects/\(project.lowercased)/files", as: world.token("owner")).items.isEmpty)
                expectProblem(try await client.call(.get, base + "/content", as: world.token("owner")), 404, "not_found")
                expectProblem(try await client.call(.get, base, as: world.token("owner")), 404, "not_found")
                expectProblem(try await client.call(.delete, base, as: world.token("admin"), json: ["reason": "again"]), 404, "not_found")
            }
            let deleted = try #require(try await world.fileEvents(project).last)
            #expect(deleted.type == "file.deleted")
            #expect(deleted.reason == "superseded by sheet 2")
            #expect(world.blobFiles().count == 1)  // the blob stays
        }
    }

    @Test(arguments: StoreKind.allCases)
    func anotherAccountsFileIsNotFound(_ kind: StoreKind) async throws {
        try await World.withFiles(kind) { world in
            let rival = try await world.otherAccount()
            let project = world.project("draft")
            try await world.test { client in
                let up = try await client.upload(project, Self.text, as: world.token("owner"))
                let fid = try #require(up["file_id"]?.stringValue)
                let base = "/v1/projects/\(project.lowercased)/files/\(fid)"
                let absent = try await client.call(.get, "/v1/projects/\(UUID().lowercased)/files/\(fid)/content", as: rival.token)
                let theirs = try await client.call(.get, base + "/content", as: rival.token)
                expectProblem(theirs, 404, "not_found")
                #expect(theirs.problemWithoutRequestID == absent.problemWithoutRequestID)
                expectProblem(try await client.call(.get, base, as: rival.token), 404, "not_found")
                expectProblem(try await client.call(.get, "/v1/projects/\(project.lowercased)/files", as: rival.token), 404, "not_found")
                let before = world.blobFiles().count
                expectProblem(try await client.upload(project, "intruder", as: rival.token), 404, "not_found")
                expectProblem(try await client.call(.delete, base, as: rival.token, json: ["reason": "x"]), 404, "not_found")
                #expect(world.blobFiles().count == before)
                // And the other way round: their project's files are not ours to see.
                expectProblem(try await client.call(.get, "/v1/projects/\(rival.project.lowercased)/files", as: world.token("owner")), 404, "not_found")
            }
        }
    }

    @Test(arguments: StoreKind.allCases)
    func rolesSeeAndChangeOnlyWhatTheMatrixAllows(_ kind: StoreKind) async throws {
        try await World.withFiles(kind) { world in
            try await world.test { client in
                var files: [String: String] = [:]
                for state in ["draft", "approved", "own"] {
                    let up = try await client.upload(world.project(state), "\(state) bytes", as: world.token("owner"))
                    files[state] = try #require(up["file_id"]?.stringValue)
                }
                func content(_ state: String, _ who: String) async throws -> Reply {
                    try await client.call(.get, "/v1/projects/\(world.project(state).lowercased)/files/\(files[state]!)/content", as: world.token(who))
                }
                // client: own project only; fabricator: approved only; both hidden (404) elsewhere.
                #expect(try await content("own", "client").text == "own bytes")
                expectProblem(try await content("draft", "client"), 404, "not_found")
                expectProblem(try await content("approved", "client"), 404, "not_found")
                #expect(try await content("approved", "fabricator").text == "approved bytes")
                expectProblem(try await content("draft", "fabricator"), 404, "not_found")
                expectProblem(try await content("own", "fabricator"), 404, "not_found")
                let clientList = try await client.call(.get, "/v1/projects/\(world.project("draft").lowercased)/files", as: world.token("client"))
                expectProblem(clientList, 404, "not_found")
                // Neither may upload where they can see, nor delete; nothing is stored for them.
                let before = world.blobFiles().count
                expectProblem(try await client.upload(world.project("own"), "client upload", as: world.token("client")), 403, "role_forbids")
                expectProblem(try await client.upload(world.project("approved"), "fab upload", as: world.token("fabricator")), 403, "role_forbids")
                #expect(world.blobFiles().count == before)
                let path = "/v1/projects/\(world.project("own").lowercased)/files/\(files["own"]!)"
                expectProblem(try await client.call(.delete, path, as: world.token("client"), json: ["reason": "mine"]), 403, "role_forbids")
                expectProblem(try await client.call(.delete, path, as: world.token("engineer"), json: ["reason": "x"]), 403, "role_forbids")
            }
            // Every denial is in the account's trail.
            let denied = try await world.denials(after: 0).compactMap { $0.data["action"]?.stringValue }
            #expect(denied.contains("file.view"))
            #expect(denied.contains("file.upload"))
            #expect(denied.contains("file.delete"))
        }
    }

    @Test(arguments: StoreKind.allCases)
    func oversizeUploadIs413AndStoresNothing(_ kind: StoreKind) async throws {
        try await World.withFiles(kind, configure: { $0.maxUploadBytes = 1000 }) { world in
            let project = world.project("draft")
            try await world.test { client in
                let url = "/v1/projects/\(project.lowercased)/files"
                // Without Content-Length the cap is met while streaming; with a large one, before a byte is read.
                let big = Multipart.body(String(repeating: "x", count: 5000))
                expectProblem(try await client.call(.post, url, as: world.token("owner"), raw: big, headers: [.contentType: Multipart.contentType]), 413, "file_too_large")
                let huge = Multipart.body(String(repeating: "x", count: 70_000))
                let early = try await client.call(
                    .post, url, as: world.token("owner"), raw: huge, headers: [.contentType: Multipart.contentType, .contentLength: "\(huge.utf8.count)"])
                expectProblem(early, 413, "file_too_large")
                #expect(try await client.upload(project, "small", as: world.token("owner")).code == 201)
            }
            #expect(try await world.fileEvents(project).count == 1)
            #expect(world.blobFiles().count == 1)
        }
    }

    @Test func badUploadsAreClear4xxAndStoreNothing() async throws {
        try await World.withFiles(.sqlite) { world in
            let project = world.project("draft")
            try await world.test { client in
                let url = "/v1/projects/\(project.lowercased)/files"
                let owner = world.token("owner")
                expectProblem(try await client.upload(project, "", as: owner), 422, "invalid_input", field: "file")
                expectProblem(try await client.upload(project, "x", as: owner, filename: "../etc/passwd"), 422, "invalid_input", field: "file.filename")
                expectProblem(try await client.upload(project, "x", as: owner, filename: "a\u{1}b"), 422, "invalid_text", field: "file.filename")
                expectProblem(try await client.call(.post, url, as: owner, json: ["file": "x"]), 415, "unsupported_media_type")
                let noFile = "--\(Multipart.boundary)\r\nContent-Disposition: form-data; name=\"description\"\r\n\r\nhi\r\n--\(Multipart.boundary)--\r\n"
                expectProblem(try await client.call(.post, url, as: owner, raw: noFile, headers: [.contentType: Multipart.contentType]), 400, "missing_file")
                let extra = Multipart.body("x", extra: "colour")
                expectProblem(try await client.call(.post, url, as: owner, raw: extra, headers: [.contentType: Multipart.contentType]), 400, "unknown_field")
                let cut = String(Multipart.body("cut short").dropLast(12))
                expectProblem(try await client.call(.post, url, as: owner, raw: cut, headers: [.contentType: Multipart.contentType]), 400, "malformed_upload")
            }
            #expect(try await world.fileEvents(project).isEmpty)
            #expect(world.blobFiles().isEmpty)
        }
    }

    @Test func postgresWithoutABlobURLIsNotConfigured() async throws {
        try await World.with(.postgres) { world in
            try await world.test { client in
                let reply = try await client.upload(world.project("draft"), Self.text, as: world.token("owner"))
                expectProblem(reply, 503, "files_not_configured")
            }
        }
    }

    @Test func aBlobAlteredOnDiskIsNotServed() async throws {
        try await World.withFiles(.sqlite) { world in
            let project = world.project("draft")
            try await world.test { client in
                let up = try await client.upload(project, Self.text, as: world.token("owner"))
                let fid = try #require(up["file_id"]?.stringValue)
                let root = String(world.configuration.blobURL!.dropFirst(5))
                let blob = try #require(world.blobFiles().first)
                try Data("tampered".utf8).write(to: URL(fileURLWithPath: root + "/" + blob))
                let reply = try await client.call(.get, "/v1/projects/\(project.lowercased)/files/\(fid)/content", as: world.token("owner"))
                expectProblem(reply, 500, "blob_corrupt")
                #expect(!reply.text.contains(root))
            }
        }
    }

    static func sha256(_ text: String) -> String { SHA256.hash(data: Data(text.utf8)).map { String(format: "%02x", $0) }.joined() }
}
