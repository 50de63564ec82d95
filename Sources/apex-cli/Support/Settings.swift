import ApexServer
import ApexStore
import Crypto
import Foundation
import Logging

/// Settings from flags, environment variables (`NAME` or `NAME_FILE`) and, on the embedded
/// SQLite default, secrets kept in the data folder.
struct Settings {
    let environment = ProcessInfo.processInfo.environment

    /// `NAME`, or the contents of the file `NAME_FILE` names.
    func value(_ name: String) throws -> String? {
        if let v = environment[name], !v.isEmpty { return v }
        guard let path = environment[name + "_FILE"], !path.isEmpty else { return nil }
        do {
            return try String(contentsOfFile: path, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        } catch {
            throw CLIError("cannot read \(name)_FILE at \(path)")
        }
    }

    /// The store URL: the flag, `APEX_STORE_URL`, or the embedded default.
    func storeURL(_ flag: String?) throws -> String {
        let url = try flag ?? value("APEX_STORE_URL") ?? StoreURL.defaultURL
        do { _ = try StoreURL(url) } catch let error as EventStoreError { throw CLIError(error.message) }
        return url
    }

    /// The folder holding the SQLite file, when the store is SQLite.
    func dataFolder(_ url: String) -> URL? {
        guard case .sqlite(let path)? = try? StoreURL(url) else { return nil }
        return URL(fileURLWithPath: path).deletingLastPathComponent()
    }

    /// The JWT secret: `APEX_JWT_SECRET(_FILE)`, else (SQLite) a random one created once in the data folder.
    func jwtSecret(storeURL: String, logger: Logger) throws -> String {
        if let secret = try value("APEX_JWT_SECRET") { return secret }
        guard let folder = dataFolder(storeURL) else {
            throw CLIError("set APEX_JWT_SECRET (or APEX_JWT_SECRET_FILE): every server on a shared PostgreSQL store must use the same secret")
        }
        return try folderSecret(folder.appendingPathComponent("jwt-secret"), logger: logger, what: "JWT secret") {
            SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) }.base64EncodedString()
        }
    }

    /// The checkpoint signing key: `APEX_SIGNING_KEY(_FILE)` (base64 of 32 raw bytes), else (SQLite)
    /// one created once in the data folder; nil on PostgreSQL without the variable.
    func signingKey(storeURL: String, logger: Logger) throws -> Curve25519.Signing.PrivateKey? {
        let text: String
        if let v = try value("APEX_SIGNING_KEY") {
            text = v
        } else if let folder = dataFolder(storeURL) {
            text = try folderSecret(folder.appendingPathComponent("signing-key"), logger: logger, what: "checkpoint signing key") {
                Curve25519.Signing.PrivateKey().rawRepresentation.base64EncodedString()
            }
        } else {
            return nil
        }
        guard let raw = Data(base64Encoded: text), let key = try? Curve25519.Signing.PrivateKey(rawRepresentation: raw) else {
            throw CLIError("APEX_SIGNING_KEY must be the base64 of a 32-byte Ed25519 private key")
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

/// A failure the CLI reports in one line, with what to do.
struct CLIError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// The CLI's logger: to standard error, info and above.
func makeLogger(_ label: String = "apex", level: Logger.Level = .info) -> Logger {
    var logger = Logger(label: label) { StreamLogHandler.standardError(label: $0) }
    logger.logLevel = level
    return logger
}
