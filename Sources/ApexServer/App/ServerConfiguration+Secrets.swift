import Crypto

extension ServerConfiguration {
    /// The fewest bytes a secret may have.
    public static let minimumSecretBytes = 32
    /// The fewest distinct byte values a secret may have (`aaaa…` or `0101…` are refused).
    public static let minimumDistinctSecretBytes = 10

    /// Throws ``ConfigurationError`` naming the first secret (`APEX_JWT_SECRET`,
    /// `APEX_FILE_LINK_KEY`, `APEX_SIGNING_KEY`) that is shorter than ``minimumSecretBytes`` or
    /// has fewer than ``minimumDistinctSecretBytes`` distinct byte values; never its value.
    /// ``ApexServer`` calls it before it opens the store: a weak secret stops the start. The
    /// ones `serve` creates in the data folder (32 random bytes, base64) always pass.
    public func checkSecrets() throws {
        try Self.checkSecret(Array(jwtSecret.utf8), named: "APEX_JWT_SECRET")
        if let fileLinkKey {
            try Self.checkSecret(fileLinkKey.withUnsafeBytes { Array($0) }, named: "APEX_FILE_LINK_KEY")
        }
        if let signingKey {
            try Self.checkSecret(Array(signingKey.rawRepresentation), named: "APEX_SIGNING_KEY")
        }
    }

    /// Throws ``ConfigurationError`` naming `name` when `bytes` are too short or too uniform.
    public static func checkSecret(_ bytes: [UInt8], named name: String) throws {
        let fix = "generate one with `openssl rand -base64 32` (docs/security.md)"
        if bytes.isEmpty { throw ConfigurationError("\(name) is not set: \(fix)") }
        if bytes.count < minimumSecretBytes {
            throw ConfigurationError("\(name) is too weak: it is shorter than \(minimumSecretBytes) bytes; \(fix)")
        }
        if Set(bytes).count < minimumDistinctSecretBytes {
            throw ConfigurationError("\(name) is too weak: it has fewer than \(minimumDistinctSecretBytes) distinct byte values; \(fix)")
        }
    }
}
