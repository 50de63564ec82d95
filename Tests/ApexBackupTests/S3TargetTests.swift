import ApexBackup
import Foundation
import Testing

@Suite("S3Target configuration")
struct S3TargetConfigurationTests {
    static let credentials = ["AWS_ACCESS_KEY_ID": "AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY": "secret-do-not-print"]

    @Test("defaults: us-east-1 and the AWS endpoint for the region; prefix gains a slash")
    func defaults() throws {
        let target = try S3Target.parse("s3://backups/apex/prod", environment: Self.credentials)
        #expect(target.bucket == "backups")
        #expect(target.prefix == "apex/prod/")
        #expect(target.region == "us-east-1")
        #expect(target.endpoint == "https://s3.us-east-1.amazonaws.com")
        let regional = try S3Target.parse("s3://backups", environment: Self.credentials.merging(["AWS_DEFAULT_REGION": "eu-west-1"]) { $1 })
        #expect(regional.prefix == "")
        #expect(regional.endpoint == "https://s3.eu-west-1.amazonaws.com")
    }

    @Test("AWS_REGION wins over AWS_DEFAULT_REGION, AWS_ENDPOINT_URL_S3 over AWS_ENDPOINT_URL")
    func precedence() throws {
        let environment = Self.credentials.merging([
            "AWS_REGION": "eu-central-1", "AWS_DEFAULT_REGION": "us-west-2",
            "AWS_ENDPOINT_URL": "http://general:9000", "AWS_ENDPOINT_URL_S3": "http://minio:9000/",
        ]) { $1 }
        let target = try S3Target.parse("s3://backups/", environment: environment)
        #expect(target.region == "eu-central-1")
        #expect(target.endpoint == "http://minio:9000")
        #expect(target.prefix == "")
        let general = try S3Target.parse("s3://backups/", environment: Self.credentials.merging(["AWS_ENDPOINT_URL": "http://general:9000"]) { $1 })
        #expect(general.endpoint == "http://general:9000")
    }

    @Test("missing credentials, a bad URL or endpoint: invalidDestination saying what to set")
    func rejects() {
        func code(_ url: String, _ environment: [String: String]) -> (BackupError.Code?, String) {
            do { _ = try S3Target.parse(url, environment: environment); return (nil, "") } catch let error as BackupError {
                return (error.code, error.message)
            } catch { return (nil, "\(error)") }
        }
        let missing = code("s3://backups/apex", ["AWS_ACCESS_KEY_ID": "AKIDEXAMPLE"])
        #expect(missing.0 == .invalidDestination)
        #expect(missing.1.contains("AWS_SECRET_ACCESS_KEY"))
        #expect(code("s3:///apex", Self.credentials).0 == .invalidDestination)
        #expect(code("s3://backups/apex?x=1", Self.credentials).0 == .invalidDestination)
        #expect(code("s3://backups", Self.credentials.merging(["AWS_ENDPOINT_URL": "ftp://host"]) { $1 }).0 == .invalidDestination)
    }

    @Test("description names bucket, prefix and endpoint, never the credentials")
    func description() throws {
        let target = try S3Target.parse("s3://backups/apex", environment: Self.credentials.merging(["AWS_SESSION_TOKEN": "token-do-not-print"]) { $1 })
        for text in ["\(target)", String(reflecting: target)] {
            #expect(text.contains("s3://backups/apex/"))
            #expect(!text.contains("secret-do-not-print") && !text.contains("token-do-not-print") && !text.contains("AKIDEXAMPLE"))
        }
    }

    @Test("BackupTargets.open: s3:// is S3, a path or file:// a local folder, other schemes an error")
    func open() throws {
        #expect(try BackupTargets.open("s3://backups/apex", environment: Self.credentials) is S3Target)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("apex-targets-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let local = try #require(try BackupTargets.open(folder.path, environment: [:]) as? LocalFolderTarget)
        #expect(local.root.standardizedFileURL.path == folder.standardizedFileURL.path)
        let file = try #require(try BackupTargets.open(folder.absoluteString, environment: [:]) as? LocalFolderTarget)
        #expect(file.root.standardizedFileURL.path == folder.standardizedFileURL.path)
        #expect(throws: BackupError.self) { try BackupTargets.open("https://example.com/backups", environment: [:]) }
    }
}

/// A round trip against a real S3-compatible server (moto) that recomputes and checks every signature.
@Suite("S3Target against moto", .serialized)
struct S3TargetMotoTests {
    @Test("put, get, paged list, delete, notFound, and a wrong secret that never leaks")
    func roundTrip() async throws {
        try await MotoServer.with { server in
            let environment = [
                "AWS_ENDPOINT_URL": server.endpoint, "AWS_REGION": "us-east-1",
                "AWS_ACCESS_KEY_ID": server.accessKeyID, "AWS_SECRET_ACCESS_KEY": server.secretAccessKey,
            ]
            var target = try S3Target.parse("s3://apex-backups/drills/one", environment: environment)
            try await target.createBucket()
            try await target.createBucket()  // already owned: fine

            let payload = Data((0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) })
            let base = "base/20240101T000000Z/store.sqlite.zst"
            try await target.put(base, payload)
            #expect(try await target.get(base) == payload)
            try await target.put(base, Data("replaced".utf8))
            #expect(try await target.get(base) == Data("replaced".utf8))

            let spaced = "segments/with space ~_-.seg"
            try await target.put(spaced, Data())
            #expect(try await target.get(spaced) == Data())

            let segments = (1...7).map { "segments/000\($0).seg" }
            for (index, key) in segments.enumerated() { try await target.put(key, Data("segment \(index)".utf8)) }

            // Paged listing, signatures checked: nine keys two at a time, four continuation tokens.
            // (A bucket-level target and a slash-free prefix: moto cannot verify a signed `%2F` in a query.)
            var root = try S3Target.parse("s3://apex-backups", environment: environment)
            root.listPageSize = 2
            let everything = ([base, spaced] + segments).map { "drills/one/" + $0 }.sorted()
            #expect(try await root.list(prefix: "drills") == everything)

            try await target.delete(segments[2])
            try await target.delete(segments[2])  // absent: no error
            #expect(try await !root.list(prefix: "drills").contains("drills/one/" + segments[2]))

            let missing = await #expect(throws: BackupError.self) { try await target.get(segments[2]) }
            #expect(missing?.code == .notFound)

            let wrongSecret = "wrong-\(UUID().uuidString)"
            let wrong = try S3Target.parse("s3://apex-backups/drills/one", environment: environment.merging(["AWS_SECRET_ACCESS_KEY": wrongSecret]) { $1 })
            for operation in ["get", "put"] {
                let error = await #expect(throws: BackupError.self, "\(operation) with a wrong secret") {
                    if operation == "get" { _ = try await wrong.get(segments[0]) } else { try await wrong.put("x", Data("x".utf8)) }
                }
                let text = error.map { "\($0) \(String(reflecting: $0))" } ?? ""
                #expect(error?.code == .invalidDestination)
                #expect(text.contains("AWS_SECRET_ACCESS_KEY"), "says what to check: \(text)")
                let leaks = [("the wrong secret", wrongSecret), ("the real secret", server.secretAccessKey),
                             ("the access key", server.accessKeyID), ("a signature", "Signature="), ("the Authorization header", "AWS4-HMAC-SHA256")]
                for (what, leak) in leaks {
                    #expect(!text.contains(leak), "the error must not contain \(what)")
                }
            }
            #expect(try await !root.list(prefix: "drills").contains("drills/one/x"), "the wrong secret stored nothing")

            // With signature checks off (moto 5 re-encodes the decoded URL and so rejects any signed
            // `/` in a query and most punctuation in a key, even from botocore): keys relative to the
            // target's prefix, and keys whose bytes need percent-encoding.
            try await server.disableSignatureChecks()
            target.listPageSize = 2
            let remaining = segments.filter { $0 != segments[2] }
            #expect(try await target.list(prefix: "segments/") == (remaining + [spaced]).sorted())
            #expect(try await target.list(prefix: "") == ([base, spaced] + remaining).sorted())
            #expect(try await target.list(prefix: "nothing/") == [])
            let sibling = try S3Target.parse("s3://apex-backups/drills/one-more", environment: environment)
            #expect(try await sibling.list(prefix: "") == [], "a prefix is a folder, not a string prefix of other folders")

            let odd = "segments/odd+1=é&(2)%41,;:@$!*'.seg"
            try await target.put(odd, Data("odd".utf8))
            #expect(try await target.get(odd) == Data("odd".utf8))
            #expect(try await target.list(prefix: "segments/odd+") == [odd])
            try await target.delete(odd)
            #expect(try await target.list(prefix: "segments/odd") == [])
        }
    }
}
