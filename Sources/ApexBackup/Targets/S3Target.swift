import Crypto
public import Foundation

/// Backups in an S3-compatible bucket (AWS S3, MinIO, Ceph, moto, …), addressed path-style as
/// `endpoint/bucket/prefix/key` and signed with AWS Signature Version 4.
///
/// Every `put` sends the body's SHA-256 twice — `x-amz-content-sha256` (hex, signed) and
/// `x-amz-checksum-sha256` (base64) — so the server rejects a body that changed on the way, and a
/// checksum the server echoes must match. `get` asks for the stored checksum and compares it too.
///
/// ```swift
/// let target = try S3Target.parse("s3://backups/apex", environment: ProcessInfo.processInfo.environment)
/// try await target.put("base/manifest.json", manifest)
/// ```
public struct S3Target: BackupTarget {
    /// The bucket.
    public let bucket: String
    /// The key prefix inside the bucket: empty, or ending in `/`.
    public let prefix: String
    /// The endpoint, such as `https://s3.eu-west-1.amazonaws.com` (no trailing slash).
    public let endpoint: String
    /// The signing region.
    public let region: String
    /// Keys asked for per ListObjectsV2 page (S3 returns at most 1000).
    public var listPageSize = 1000
    /// How long one request may take, upload or download included.
    public var requestTimeout: Duration = .seconds(600)

    let credentials: SigV4Signer.Credentials

    /// A target; `prefix` gains a trailing `/` when it has none.
    public init(
        bucket: String, prefix: String = "", endpoint: String, region: String,
        accessKeyID: String, secretAccessKey: String, sessionToken: String? = nil
    ) throws {
        guard !bucket.isEmpty, bucket.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-._".contains($0)) }) else {
            throw BackupError(.invalidDestination, "'\(bucket)' is not a bucket name (letters, digits, '-', '.', '_')")
        }
        var endpoint = endpoint
        while endpoint.hasSuffix("/") { endpoint.removeLast() }
        guard let url = URL(string: endpoint), ["http", "https"].contains(url.scheme?.lowercased() ?? ""), url.host != nil,
              url.query == nil, url.user == nil
        else {
            throw BackupError(.invalidDestination, "the S3 endpoint '\(endpoint)' is not an http(s) URL such as https://s3.us-east-1.amazonaws.com")
        }
        guard !accessKeyID.isEmpty, !secretAccessKey.isEmpty else {
            throw BackupError(.invalidDestination, "S3 needs credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY")
        }
        var prefix = prefix
        while prefix.hasPrefix("/") { prefix.removeFirst() }
        if !prefix.isEmpty, !prefix.hasSuffix("/") { prefix += "/" }
        self.bucket = bucket
        self.prefix = prefix
        self.endpoint = endpoint
        self.region = region.isEmpty ? "us-east-1" : region
        self.credentials = .init(accessKeyID: accessKeyID, secretAccessKey: secretAccessKey, sessionToken: sessionToken.flatMap { $0.isEmpty ? nil : $0 })
    }

    /// A target from `s3://bucket/prefix` and the usual AWS variables: `AWS_ENDPOINT_URL_S3` or
    /// `AWS_ENDPOINT_URL` (default `https://s3.<region>.amazonaws.com`), `AWS_REGION` or
    /// `AWS_DEFAULT_REGION` (default `us-east-1`), `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`,
    /// and `AWS_SESSION_TOKEN` when the credentials are temporary.
    public static func parse(_ url: String, environment: [String: String]) throws -> S3Target {
        guard url.lowercased().hasPrefix("s3://") else {
            throw BackupError(.invalidDestination, "'\(url)' is not an s3://bucket/prefix URL")
        }
        let rest = url.dropFirst("s3://".count)
        guard !rest.contains("?"), !rest.contains("#") else {
            throw BackupError(.invalidDestination, "'\(url)': s3:// URLs take no query or fragment; set AWS_* variables instead")
        }
        let bucket = String(rest.prefix { $0 != "/" })
        let prefix = String(rest.dropFirst(bucket.count))
        func value(_ name: String) -> String? { environment[name].flatMap { $0.isEmpty ? nil : $0 } }
        let region = value("AWS_REGION") ?? value("AWS_DEFAULT_REGION") ?? "us-east-1"
        return try S3Target(
            bucket: bucket, prefix: prefix,
            endpoint: value("AWS_ENDPOINT_URL_S3") ?? value("AWS_ENDPOINT_URL") ?? "https://s3.\(region).amazonaws.com",
            region: region,
            accessKeyID: value("AWS_ACCESS_KEY_ID") ?? "", secretAccessKey: value("AWS_SECRET_ACCESS_KEY") ?? "",
            sessionToken: value("AWS_SESSION_TOKEN")
        )
    }

    /// `s3://bucket/prefix at endpoint` (never credentials).
    public var description: String { "s3://\(bucket)/\(prefix) at \(endpoint)" }

    /// Uploads `data` under `key` with its SHA-256, and checks the checksum the server echoes.
    public func put(_ key: String, _ data: Data) async throws {
        let digest = SHA256.hash(data: data)
        let checksum = Data(digest).base64EncodedString()
        let response = try await send(
            "PUT", objectPath(key),
            headers: [("content-type", "application/octet-stream"), ("x-amz-sdk-checksum-algorithm", "SHA256"),
                      ("x-amz-checksum-sha256", checksum)],
            body: data, payloadSHA256: SigV4Signer.hex(digest)
        )
        guard (200..<300).contains(response.status) else { throw failure(response, "upload", key) }
        if let echoed = response.header("x-amz-checksum-sha256"), echoed != checksum {
            throw BackupError(.transfer, "the server stored \(key) with checksum \(echoed), not the \(checksum) sent")
        }
    }

    /// Downloads `key`; ``BackupError/Code/notFound`` when it is absent. A stored SHA-256 checksum,
    /// when the server reports one, must match the bytes received.
    public func get(_ key: String) async throws -> Data {
        let response = try await send("GET", objectPath(key), headers: [("x-amz-checksum-mode", "ENABLED")])
        guard (200..<300).contains(response.status) else { throw failure(response, "download", key) }
        if let stored = response.header("x-amz-checksum-sha256"), !stored.contains("-"),
           stored != Data(SHA256.hash(data: response.body)).base64EncodedString() {
            throw BackupError(.corrupt, "\(key) in \(self) does not match its stored SHA-256 checksum")
        }
        return response.body
    }

    /// Every key under `prefix` (relative to the target's prefix), sorted; follows continuation tokens.
    public func list(prefix: String) async throws -> [String] {
        var keys: [String] = []
        var token: String?
        repeat {
            var query = [(name: "list-type", value: "2"), ("prefix", self.prefix + prefix), ("max-keys", String(listPageSize))]
            if let token { query.append(("continuation-token", token)) }
            let response = try await send("GET", bucketPath, query: query)
            guard response.status == 200 else { throw failure(response, "list", prefix) }
            let page = try S3ListPage(xml: response.body)
            keys += page.keys.compactMap { $0.hasPrefix(self.prefix) ? String($0.dropFirst(self.prefix.count)) : nil }
            token = page.isTruncated ? page.nextContinuationToken : nil
            if page.isTruncated, token == nil {
                throw BackupError(.transfer, "listing \(self) was truncated without a continuation token")
            }
        } while token != nil
        return keys.sorted()
    }

    /// Deletes `key`; no error when it is absent.
    public func delete(_ key: String) async throws {
        let response = try await send("DELETE", objectPath(key))
        guard (200..<300).contains(response.status) || response.errorCode == "NoSuchKey" else {
            throw failure(response, "delete", key)
        }
    }

    /// Creates the bucket (PUT /bucket); succeeds when this account already owns it.
    package func createBucket() async throws {
        var body: Data?
        if region != "us-east-1" {
            body = Data(("<CreateBucketConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
                + "<LocationConstraint>\(region)</LocationConstraint></CreateBucketConfiguration>").utf8)
        }
        let response = try await send(
            "PUT", bucketPath, body: body,
            payloadSHA256: body.map { SigV4Signer.hex(SHA256.hash(data: $0)) } ?? SigV4Signer.emptySHA256
        )
        guard (200..<300).contains(response.status) || response.errorCode == "BucketAlreadyOwnedByYou" else {
            throw failure(response, "create bucket", bucket)
        }
    }
}
