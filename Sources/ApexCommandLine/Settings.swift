import ApexStore
package import Crypto
package import Foundation
package import Logging

/// Settings from flags, environment variables (`NAME` or `NAME_FILE`) and, on the embedded
/// SQLite default, secrets kept in the data folder.
package struct Settings: Sendable {
    /// The environment the settings are read from.
    package let environment: [String: String]

    /// Settings from `environment` (this process's by default).
    package init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.environment = environment
    }

    /// `NAME`, or the contents of the file `NAME_FILE` names.
    package func value(_ name: String) throws -> String? {
        if let v = environment[name], !v.isEmpty { return v }
        guard let path = environment[name + "_FILE"], !path.isEmpty else { return nil }
        do {
            return try String(contentsOfFile: path, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        } catch {
            throw CLIError(.invalidArgument, "cannot read \(name)_FILE at \(path)")
        }
    }

    /// The store URL: the flag, `APEX_STORE_URL`, or the embedded default.
    package func storeURL(_ flag: String?) throws -> String {
        let url = try flag ?? value("APEX_STORE_URL") ?? StoreURL.defaultURL
        do { _ = try StoreURL(url) } catch let error as EventStoreError { throw CLIError(.invalidArgument, error.message) }
        return url
    }

    /// The folder holding the SQLite file, when the store is SQLite.
    package func dataFolder(_ url: String) -> URL? {
        guard case .sqlite(let path)? = try? StoreURL(url) else { return nil }
        return URL(fileURLWithPath: path).deletingLastPathComponent()
    }

    /// The JWT secret: `APEX_JWT_SECRET(_FILE)`, else (SQLite) a random one created once in the data folder.
    package func jwtSecret(storeURL: String, logger: Logger) throws -> String {
        if let secret = try value("APEX_JWT_SECRET") { return secret }
        guard let folder = dataFolder(storeURL) else {
            throw CLIError("set APEX_JWT_SECRET (or APEX_JWT_SECRET_FILE): every server on a shared PostgreSQL store must use the same secret")
        }
        return try folderSecret(folder.appendingPathComponent("jwt-secret"), logger: logger, what: "JWT secret") {
            SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) }.base64EncodedString()
        }
    }

    /// The key that signs direct file links: `APEX_FILE_LINK_KEY(_FILE)` (at least 32 bytes of
    /// text with 10 distinct values, which `serve` checks with its other secrets), else (SQLite) a random one created once in the data folder; nil on PostgreSQL
    /// without the variable (links are then refused).
    package func fileLinkKey(storeURL: String, logger: Logger) throws -> SymmetricKey? {
        if let v = try value("APEX_FILE_LINK_KEY") {
            return SymmetricKey(data: Data(v.utf8))
        }
        guard let folder = dataFolder(storeURL) else { return nil }
        let secret = try folderSecret(folder.appendingPathComponent("file-link-key"), logger: logger, what: "file link key") {
            SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) }.base64EncodedString()
        }
        return SymmetricKey(data: Data(secret.utf8))
    }

    /// The checkpoint signing key: `APEX_SIGNING_KEY(_FILE)` (base64 of 32 raw bytes), else (SQLite)
    /// one created once in the data folder; nil on PostgreSQL without the variable.
    ///
    /// Only commands that seal checkpoints (`serve`, `checkpoint`) may create the key; a command
    /// that reads or exports uses ``existingSigningKey(storeURL:)``.
    package func signingKey(storeURL: String, logger: Logger) throws -> Curve25519.Signing.PrivateKey? {
        if let v = try value("APEX_SIGNING_KEY") { return try Self.signingKey(base64: v) }
        guard let folder = dataFolder(storeURL) else { return nil }
        return try Self.signingKey(base64: folderSecret(folder.appendingPathComponent("signing-key"), logger: logger, what: "checkpoint signing key") {
            Curve25519.Signing.PrivateKey().rawRepresentation.base64EncodedString()
        })
    }

    /// The checkpoint signing key as configured or kept, never creating one: throws
    /// ``CLIError/Code/noSigningKey`` saying where it looked when there is none.
    package func existingSigningKey(storeURL: String) throws -> Curve25519.Signing.PrivateKey {
        if let v = try value("APEX_SIGNING_KEY") { return try Self.signingKey(base64: v) }
        guard let folder = dataFolder(storeURL) else {
            throw CLIError(.noSigningKey, "no checkpoint signing key: on PostgreSQL it comes only from APEX_SIGNING_KEY (or APEX_SIGNING_KEY_FILE), which is not set")
        }
        let file = folder.appendingPathComponent("signing-key")
        guard FileManager.default.fileExists(atPath: file.path) else {
            throw CLIError(.noSigningKey, """
                no checkpoint signing key: there is no \(file.path) and APEX_SIGNING_KEY (or APEX_SIGNING_KEY_FILE) is not set; \
                run this in the folder that holds the store's data folder, pass --store sqlite:PATH, or set APEX_SIGNING_KEY
                """)
        }
        guard let text = try? String(contentsOf: file, encoding: .utf8) else { throw CLIError(.noSigningKey, "cannot read the checkpoint signing key at \(file.path)") }
        return try Self.signingKey(base64: text.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    private static func signingKey(base64 text: String) throws -> Curve25519.Signing.PrivateKey {
        guard let raw = Data(base64Encoded: text), let key = try? Curve25519.Signing.PrivateKey(rawRepresentation: raw) else {
            throw CLIError(.invalidArgument, "APEX_SIGNING_KEY must be the base64 of a 32-byte Ed25519 private key")
        }
        return key
    }

    private func folderSecret(_ file: URL, logger: Logger, what: String, make: () -> String) throws -> String {
        if let existing = try? String(contentsOf: file, encoding: .utf8) { return existing.trimmingCharacters(in: .whitespacesAndNewlines) }
        try PrivateFiles.createFolder(file.deletingLastPathComponent())
        let secret = make()
        guard FileManager.default.createFile(atPath: file.path, contents: Data((secret + "\n").utf8), attributes: [.posixPermissions: 0o600]) else {
            throw CLIError("cannot write the \(what) to \(file.path)")
        }
        logger.notice("created a new \(what) in \(file.path) (mode 0600); keep it with the data")
        return secret
    }
}
