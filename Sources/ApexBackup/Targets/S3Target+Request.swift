import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// One S3 response, read whole.
struct S3Response: Sendable {
    var status: Int
    var headers: [(name: String, value: String)]
    var body: Data

    /// The first header named `name` (any case).
    func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name }?.value
    }

    /// The `<Code>` of an S3 error body (`NoSuchKey`, `SignatureDoesNotMatch`, …).
    var errorCode: String? { S3ErrorBody(xml: body)?.code }
}

extension S3Target {
    /// The endpoint's own path (usually empty), unencoded.
    private var endpointPath: String {
        var path = URLComponents(string: endpoint)?.path ?? ""
        while path.hasSuffix("/") { path.removeLast() }
        return path
    }

    /// `scheme://host[:port]` of the endpoint.
    private var origin: String {
        let encodedPath = URLComponents(string: endpoint)?.percentEncodedPath ?? ""
        return endpoint.hasSuffix(encodedPath) ? String(endpoint.dropLast(encodedPath.count)) : endpoint
    }

    /// The `host` header: the endpoint's authority, its port dropped when it is the scheme's default.
    private var hostHeader: String {
        let authority = origin.drop { $0 != ":" }.dropFirst(3)
        for (scheme, port) in [("http://", ":80"), ("https://", ":443")]
        where origin.lowercased().hasPrefix(scheme) && authority.hasSuffix(port) {
            return String(authority.dropLast(port.count))
        }
        return String(authority)
    }

    /// `/bucket` under the endpoint's path.
    var bucketPath: String { endpointPath + "/" + bucket }

    /// `/bucket/prefix/key` under the endpoint's path; throws ``BackupError/Code/invalidKey`` for a
    /// key that would leave the prefix (`..`, `.`, `//`, a leading `/`): it is never sent.
    func objectPath(_ key: String) throws -> String {
        try BackupKey.validate(key)
        return bucketPath + "/" + prefix + key
    }

    /// Signs and sends one request over `HTTPClient.shared` and reads the whole response.
    /// Network failures become ``BackupError/Code/transfer``; nothing secret is in the message.
    func send(
        _ method: String, _ path: String, query: [(name: String, value: String)] = [],
        headers: [(name: String, value: String)] = [], body: Data? = nil,
        payloadSHA256: String = SigV4Signer.emptySHA256
    ) async throws -> S3Response {
        do {
            let response = try await execute(
                method, path, query: query, headers: headers, body: body.map { .bytes(ByteBuffer(bytes: $0)) }, payloadSHA256: payloadSHA256)
            let bytes = try await response.body.collect(upTo: Int(UInt32.max))
            return S3Response(status: Int(response.status.code), headers: response.headers.map { ($0.name, $0.value) }, body: Data(bytes.readableBytesView))
        } catch let error as BackupError {
            throw error
        } catch {
            throw BackupError(.transfer, "\(method) \(description): \(error)")
        }
    }

    /// Signs and sends one request with `body` (streamed as it is given), returning the response
    /// with its body still to read. Network failures become ``BackupError/Code/transfer``.
    func execute(
        _ method: String, _ path: String, query: [(name: String, value: String)] = [],
        headers: [(name: String, value: String)] = [], body: HTTPClientRequest.Body? = nil,
        payloadSHA256: String = SigV4Signer.emptySHA256
    ) async throws -> HTTPClientResponse {
        let signer = SigV4Signer(region: region, service: "s3", credentials: credentials)
        let signedHeaders = [(name: "host", value: hostHeader)] + headers
        let signed = signer.sign(
            .init(method: method, path: path, query: query, headers: signedHeaders, payloadSHA256: payloadSHA256),
            at: Date()
        )
        let queryString = SigV4Signer.canonicalQuery(query)
        var request = HTTPClientRequest(
            url: origin + SigV4Signer.canonicalURI(path) + (queryString.isEmpty ? "" : "?" + queryString)
        )
        request.method = HTTPMethod(rawValue: method)
        for header in signedHeaders + signed.headers { request.headers.add(name: header.name, value: header.value) }
        if let body { request.body = body }
        do {
            return try await HTTPClient.shared.execute(request, timeout: TimeAmount(requestTimeout))
        } catch {
            throw BackupError(.transfer, "\(method) \(description): \(error)")
        }
    }

    /// A ``BackupError`` for a failed response: its HTTP status and S3 error code, never the body
    /// (which may echo the string to sign) and never a header.
    func failure(_ response: S3Response, _ action: String, _ key: String) -> BackupError {
        let code = response.errorCode
        let detail = "HTTP \(response.status)\(code.map { " \($0)" } ?? "")"
        switch (response.status, code) {
        case (404, "NoSuchBucket"):
            return BackupError(.invalidDestination, "cannot \(action) \(key): the bucket \(bucket) does not exist at \(endpoint) (\(detail))")
        case (404, _):
            return BackupError(.notFound, "\(key) is not in \(self) (\(detail))")
        case (403, _), (400, "AuthorizationHeaderMalformed"):
            return BackupError(.invalidDestination, "cannot \(action) \(key) in \(self): access denied (\(detail)); "
                + "check AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN and AWS_REGION")
        default:
            return BackupError(.transfer, "cannot \(action) \(key) in \(self) (\(detail))")
        }
    }
}
