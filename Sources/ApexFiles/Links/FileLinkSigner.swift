public import Crypto
public import Foundation

/// Signs and checks direct links to one revision of a file: HMAC-SHA-256 with a server key over
/// the account, project, file, revision and expiry, so a link works without a bearer token until
/// it expires and changing any of them (or a byte of the signature) makes it worthless.
///
/// ```swift
/// let signer = FileLinkSigner(key: SymmetricKey(data: keyBytes))
/// let sig = signer.signature(FileLink(account: a, project: p, file: f, revision: 2, expires: 1_900_000_000))
/// signer.isValid(sig, for: link)   // constant-time
/// ```
public struct FileLinkSigner: Sendable {
    private let key: SymmetricKey

    /// A signer with `key` (`APEX_FILE_LINK_KEY`: at least 32 bytes).
    public init(key: SymmetricKey) { self.key = key }

    /// The longest a link may live.
    public static let maximumLifetime: Int64 = 7 * 86_400
    /// A link's lifetime when none is asked for.
    public static let defaultLifetime: Int64 = 15 * 60

    /// The link's signature, base64url without padding.
    public func signature(_ link: FileLink) -> String {
        Self.base64URL(Data(HMAC<SHA256>.authenticationCode(for: link.message, using: key)))
    }

    /// Whether `signature` is this link's (compared in constant time).
    public func isValid(_ signature: String, for link: FileLink) -> Bool {
        guard let mac = Self.decodeBase64URL(signature), mac.count == SHA256.byteCount else { return false }
        return HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: link.message, using: key)
    }

    static func base64URL(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func decodeBase64URL(_ text: String) -> Data? {
        guard text.utf8.count <= 64, text.utf8.allSatisfy({ $0 < 128 }) else { return nil }
        var s = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while s.count % 4 != 0 { s += "=" }
        return Data(base64Encoded: s)
    }
}

/// What a direct link grants: one revision of one file, until `expires` (unix seconds).
public struct FileLink: Sendable, Hashable {
    /// The account that owns the project.
    public var account: UUID
    /// The project.
    public var project: UUID
    /// The file.
    public var file: UUID
    /// The revision.
    public var revision: Int
    /// Unix seconds after which the link is refused.
    public var expires: Int64

    /// A link.
    public init(account: UUID, project: UUID, file: UUID, revision: Int, expires: Int64) {
        self.account = account
        self.project = project
        self.file = file
        self.revision = revision
        self.expires = expires
    }

    /// The path (with its query) that serves it, under `/v1/file-links/`.
    public func path(signature: String) -> String {
        "/v1/file-links/\(project.uuidString.lowercased())/\(file.uuidString.lowercased())/\(revision)?expires=\(expires)&signature=\(signature)"
    }

    /// The signed text: a domain tag and the fields, one a line.
    var message: Data {
        Data("apex-file-link-v1\n\(account.uuidString.lowercased())\n\(project.uuidString.lowercased())\n\(file.uuidString.lowercased())\n\(revision)\n\(expires)".utf8)
    }
}
