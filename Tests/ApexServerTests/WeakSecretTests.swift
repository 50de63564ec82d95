import ApexServer
import Crypto
import Foundation
import Testing

/// Weak secrets stop the server at start (issue #23): shorter than 32 bytes or fewer than 10
/// distinct byte values, named by their variable and never shown.
struct WeakSecretTests {
    static let strong = "weak-secret-tests-jwt-secret-0123456789abcdef"

    @Test(arguments: [
        ("short-but-varied-0123456789", "shorter than 32 bytes"),
        (String(repeating: "a", count: 64), "fewer than 10 distinct"),
        (String(repeating: "012345678", count: 8), "fewer than 10 distinct"),
        ("", "is not set"),
    ])
    func aWeakJWTSecretStopsTheStartNamingTheVariable(_ secret: String, _ reason: String) async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("apex-weak-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        var configuration = ServerConfiguration()
        configuration.storeURL = "sqlite:" + folder.appendingPathComponent("apex.sqlite").path
        configuration.port = 0
        configuration.jwtSecret = secret
        let error = await #expect(throws: ConfigurationError.self) {
            try await ApexServer.run(configuration: configuration, logger: World.logger)
        }
        let text = error?.description ?? ""
        #expect(text.hasPrefix("APEX_JWT_SECRET "), "\(text)")
        #expect(text.contains(reason), "\(text)")
        if !secret.isEmpty { #expect(!text.contains(secret)) }
        // Refused before the store was opened: nothing was written.
        #expect(!FileManager.default.fileExists(atPath: folder.path))
    }

    @Test func theFileLinkKeyAndTheSigningKeyAreCheckedToo() throws {
        var configuration = ServerConfiguration()
        configuration.jwtSecret = Self.strong
        try configuration.checkSecrets()
        configuration.fileLinkKey = SymmetricKey(data: Data(String(repeating: "ab", count: 20).utf8))
        let link = #expect(throws: ConfigurationError.self) { try configuration.checkSecrets() }
        #expect(link?.description.hasPrefix("APEX_FILE_LINK_KEY is too weak") == true, "\(String(describing: link))")
        configuration.fileLinkKey = SymmetricKey(size: .bits256)
        configuration.signingKey = try Curve25519.Signing.PrivateKey(rawRepresentation: Data(repeating: 7, count: 32))
        let signing = #expect(throws: ConfigurationError.self) { try configuration.checkSecrets() }
        #expect(signing?.description.hasPrefix("APEX_SIGNING_KEY is too weak") == true, "\(String(describing: signing))")
        configuration.signingKey = Curve25519.Signing.PrivateKey()
        try configuration.checkSecrets()
    }

    /// What `serve` creates in the data folder (base64 of 32 random bytes) always passes.
    @Test func generatedSecretsPass() throws {
        for _ in 0..<2000 {
            let generated = SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) }.base64EncodedString()
            try ServerConfiguration.checkSecret(Array(generated.utf8), named: "APEX_JWT_SECRET")
            try ServerConfiguration.checkSecret(Array(Curve25519.Signing.PrivateKey().rawRepresentation), named: "APEX_SIGNING_KEY")
        }
    }
}
