import Crypto
package import Foundation

/// AWS Signature Version 4 for the `Authorization` header: pure, with no I/O and no clock.
///
/// The path is given unencoded and each byte except `A-Z a-z 0-9 - . _ ~` and `/` is
/// percent-encoded once, which is what S3 expects (S3 neither double-encodes nor normalizes
/// paths; ``canonicalURI(_:)`` builds the path sent on the wire as well, so the two always agree).
///
/// ```swift
/// let signer = SigV4Signer(region: "us-east-1", service: "s3", credentials: credentials)
/// let signed = signer.sign(SigV4Signer.Request(method: "GET", path: "/bucket/key",
///                                              headers: [("host", "s3.amazonaws.com")]), at: .now)
/// ```
package struct SigV4Signer: Sendable {
    /// An access key, its secret and an optional session token. `description` never shows the secret.
    package struct Credentials: Sendable, CustomStringConvertible {
        /// `AWS_ACCESS_KEY_ID`.
        package var accessKeyID: String
        /// `AWS_SECRET_ACCESS_KEY`.
        package var secretAccessKey: String
        /// `AWS_SESSION_TOKEN`, sent and signed as `x-amz-security-token`.
        package var sessionToken: String?

        /// Credentials.
        package init(accessKeyID: String, secretAccessKey: String, sessionToken: String? = nil) {
            self.accessKeyID = accessKeyID
            self.secretAccessKey = secretAccessKey
            self.sessionToken = sessionToken
        }

        /// Says that credentials are present, nothing more.
        package var description: String { "AWS credentials (redacted)" }
    }

    /// What is signed: method, unencoded path and query, headers (including `host`), payload hash.
    package struct Request: Sendable {
        /// `GET`, `PUT`, …
        package var method: String
        /// The unencoded path, starting with `/`.
        package var path: String
        /// Unencoded query parameters, in any order.
        package var query: [(name: String, value: String)]
        /// Headers to sign, `host` among them; names in any case.
        package var headers: [(name: String, value: String)]
        /// Lowercase hex SHA-256 of the body (or `UNSIGNED-PAYLOAD`).
        package var payloadSHA256: String

        /// A request; the payload hash defaults to the hash of an empty body.
        package init(method: String, path: String, query: [(name: String, value: String)] = [],
                     headers: [(name: String, value: String)], payloadSHA256: String = SigV4Signer.emptySHA256) {
            self.method = method
            self.path = path
            self.query = query
            self.headers = headers
            self.payloadSHA256 = payloadSHA256
        }
    }

    /// The result of signing, every intermediate step included so tests can compare each.
    package struct Signed: Sendable {
        /// The canonical request.
        package var canonicalRequest: String
        /// The string to sign.
        package var stringToSign: String
        /// The hex signature.
        package var signature: String
        /// `host;x-amz-date;…`.
        package var signedHeaders: String
        /// The `Authorization` header value.
        package var authorization: String
        /// The `x-amz-date` header value (`yyyyMMdd'T'HHmmss'Z'`).
        package var amzDate: String
        /// The `x-amz-content-sha256` header value (the payload hash).
        package var contentSHA256: String
        /// Every header the request must carry besides the caller's: `authorization`, `x-amz-date`,
        /// and, when signed, `x-amz-content-sha256` and `x-amz-security-token`.
        package var headers: [(name: String, value: String)]
    }

    /// SHA-256 of the empty string, in hex.
    package static let emptySHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

    /// `us-east-1`, …
    package var region: String
    /// `s3`, or `service` in AWS's test suite.
    package var service: String
    /// Who signs.
    package var credentials: Credentials
    /// Whether `x-amz-content-sha256` is sent and signed; S3 requires it, the generic suite has none.
    package var signsContentSHA256: Bool

    /// A signer; `signsContentSHA256` defaults to `service == "s3"`.
    package init(region: String, service: String, credentials: Credentials, signsContentSHA256: Bool? = nil) {
        self.region = region
        self.service = service
        self.credentials = credentials
        self.signsContentSHA256 = signsContentSHA256 ?? (service == "s3")
    }

    /// Signs `request` as of `date`. Caller headers named `x-amz-date`, `x-amz-content-sha256`,
    /// `x-amz-security-token` or `authorization` are replaced by the signer's.
    package func sign(_ request: Request, at date: Date) -> Signed {
        let amzDate = Self.amzDate(date)
        let scope = "\(amzDate.prefix(8))/\(region)/\(service)/aws4_request"
        let replaced: Set<String> = ["x-amz-date", "x-amz-content-sha256", "x-amz-security-token", "authorization"]
        var added: [(name: String, value: String)] = [("x-amz-date", amzDate)]
        if signsContentSHA256 { added.append(("x-amz-content-sha256", request.payloadSHA256)) }
        if let token = credentials.sessionToken { added.append(("x-amz-security-token", token)) }
        let headers = request.headers.filter { !replaced.contains(Self.headerName($0.name)) } + added
        let (canonicalHeaders, signedHeaders) = Self.canonicalHeaders(headers)
        let canonicalRequest = [
            request.method, Self.canonicalURI(request.path), Self.canonicalQuery(request.query),
            canonicalHeaders, signedHeaders, request.payloadSHA256,
        ].joined(separator: "\n")
        let stringToSign = ["AWS4-HMAC-SHA256", amzDate, scope, Self.hex(SHA256.hash(data: Data(canonicalRequest.utf8)))]
            .joined(separator: "\n")
        var key = Self.hmac(Data("AWS4\(credentials.secretAccessKey)".utf8), String(amzDate.prefix(8)))
        for part in [region, service, "aws4_request"] { key = Self.hmac(key, part) }
        let signature = Self.hex(Self.hmac(key, stringToSign))
        let authorization = "AWS4-HMAC-SHA256 Credential=\(credentials.accessKeyID)/\(scope), "
            + "SignedHeaders=\(signedHeaders), Signature=\(signature)"
        return Signed(
            canonicalRequest: canonicalRequest, stringToSign: stringToSign, signature: signature,
            signedHeaders: signedHeaders, authorization: authorization, amzDate: amzDate,
            contentSHA256: request.payloadSHA256, headers: [("authorization", authorization)] + added
        )
    }
}

extension SigV4Signer {
    /// The path as signed and as sent: every byte but `A-Z a-z 0-9 - . _ ~ /` percent-encoded once.
    package static func canonicalURI(_ path: String) -> String {
        path.isEmpty ? "/" : uriEncode(path, keepingSlash: true)
    }

    /// Encoded `name=value` pairs sorted by name, then value, joined by `&` (also the query sent).
    package static func canonicalQuery(_ items: [(name: String, value: String)]) -> String {
        items.map { (uriEncode($0.name, keepingSlash: false), uriEncode($0.value, keepingSlash: false)) }
            .sorted { $0.0 == $1.0 ? $0.1.utf8.lexicographicallyPrecedes($1.1.utf8) : $0.0.utf8.lexicographicallyPrecedes($1.0.utf8) }
            .map { "\($0.0)=\($0.1)" }
            .joined(separator: "&")
    }

    /// AWS's `UriEncode`: unreserved bytes kept, `/` kept when asked, all else as `%XX` (uppercase).
    package static func uriEncode(_ string: String, keepingSlash: Bool) -> String {
        var out = ""
        out.reserveCapacity(string.utf8.count)
        for byte in string.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            case UInt8(ascii: "/") where keepingSlash:
                out.append("/")
            default:
                out.append("%")
                out.unicodeScalars.append(Unicode.Scalar(upperHex[Int(byte >> 4)]))
                out.unicodeScalars.append(Unicode.Scalar(upperHex[Int(byte & 0x0F)]))
            }
        }
        return out
    }

    /// `yyyyMMdd'T'HHmmss'Z'` in UTC.
    package static func amzDate(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(secondsFromGMT: 0) ?? calendar.timeZone
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        func pad(_ value: Int?, _ width: Int) -> String {
            let digits = String(value ?? 0)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return pad(c.year, 4) + pad(c.month, 2) + pad(c.day, 2) + "T" + pad(c.hour, 2) + pad(c.minute, 2) + pad(c.second, 2) + "Z"
    }

    /// Lowercase hex.
    package static func hex(_ bytes: some Sequence<UInt8>) -> String {
        var out = ""
        for byte in bytes {
            out.unicodeScalars.append(Unicode.Scalar(lowerHex[Int(byte >> 4)]))
            out.unicodeScalars.append(Unicode.Scalar(lowerHex[Int(byte & 0x0F)]))
        }
        return out
    }

    /// Lowercased, trimmed header names, sorted; values trimmed with inner runs of spaces collapsed,
    /// repeated headers joined by `,` in the order given. Returns the block and the signed-header list.
    static func canonicalHeaders(_ headers: [(name: String, value: String)]) -> (String, String) {
        var values: [String: [String]] = [:]
        for header in headers {
            let collapsed = header.value.split(whereSeparator: { $0 == " " || $0 == "\t" }).joined(separator: " ")
            values[headerName(header.name), default: []].append(collapsed)
        }
        let names = values.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        let block = names.map { "\($0):\(values[$0, default: []].joined(separator: ","))\n" }.joined()
        return (block, names.joined(separator: ";"))
    }

    static func headerName(_ name: String) -> String {
        name.lowercased().trimmingCharacters(in: .whitespaces)
    }

    static func hmac(_ key: Data, _ message: String) -> Data {
        Data(HMAC<SHA256>.authenticationCode(for: Data(message.utf8), using: SymmetricKey(data: key)))
    }

    private static let upperHex = Array("0123456789ABCDEF".utf8)
    private static let lowerHex = Array("0123456789abcdef".utf8)
}
