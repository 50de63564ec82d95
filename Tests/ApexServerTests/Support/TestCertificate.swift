import Foundation
import Testing

/// A self-signed certificate for `localhost` and 127.0.0.1 with its key, made by the `openssl`
/// command line in a temporary folder (removed after `body`).
struct TestCertificate: Sendable {
    let folder: URL
    var certificateFile: String { folder.appendingPathComponent("cert.pem").path }
    var keyFile: String { folder.appendingPathComponent("key.pem").path }

    static func with<T>(_ body: (TestCertificate) async throws -> T) async throws -> T {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("apex-tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let certificate = TestCertificate(folder: folder)
        try run(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1",
                 "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
                 "-keyout", certificate.keyFile, "-out", certificate.certificateFile])
        return try await body(certificate)
    }

    /// Another key, not the certificate's.
    func makeOtherKey(at path: String) throws {
        try Self.run(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", path])
    }

    private static func run(_ arguments: [String]) throws {
        guard let openssl = ["/usr/bin/openssl", "/usr/local/bin/openssl", "/opt/homebrew/bin/openssl"].first(where: FileManager.default.isExecutableFile) else {
            Issue.record("the TLS tests need the openssl command line (Debian: apt-get install openssl)")
            throw CocoaError(.executableNotLoadable)
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: openssl)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            Issue.record("openssl \(arguments.first ?? "") failed with status \(process.terminationStatus)")
            throw CocoaError(.executableLoad)
        }
    }
}
