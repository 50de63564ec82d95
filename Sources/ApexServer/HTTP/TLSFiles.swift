import Foundation
public import NIOSSL

/// The certificate chain and private key `serve` speaks HTTPS with (`APEX_TLS_CERT_FILE` and
/// `APEX_TLS_KEY_FILE`, PEM). Errors name the setting and the file, never the key's content.
public struct TLSFiles: Sendable, Hashable {
    /// A PEM file holding the server's certificate, then any intermediates.
    public var certificateFile: String
    /// A PEM file holding the certificate's private key (unencrypted).
    public var keyFile: String

    /// The two files.
    public init(certificateFile: String, keyFile: String) {
        self.certificateFile = certificateFile
        self.keyFile = keyFile
    }

    /// The server's TLS configuration (TLS 1.2 or later) from the two files, with ALPN offering
    /// HTTP/2 and HTTP/1.1; throws ``ConfigurationError`` when a file cannot be read, holds no
    /// PEM certificate or key, or the key does not belong to the certificate.
    public func serverConfiguration() throws -> TLSConfiguration {
        let certificateBytes = try Self.read(certificateFile, setting: "APEX_TLS_CERT_FILE")
        let keyBytes = try Self.read(keyFile, setting: "APEX_TLS_KEY_FILE")
        let chain: [NIOSSLCertificate]
        do { chain = try NIOSSLCertificate.fromPEMBytes(certificateBytes) } catch {
            throw ConfigurationError("APEX_TLS_CERT_FILE (\(certificateFile)) holds no PEM certificate")
        }
        guard !chain.isEmpty else { throw ConfigurationError("APEX_TLS_CERT_FILE (\(certificateFile)) holds no PEM certificate") }
        let key: NIOSSLPrivateKey
        do { key = try NIOSSLPrivateKey(bytes: keyBytes, format: .pem) } catch {
            throw ConfigurationError("APEX_TLS_KEY_FILE (\(keyFile)) holds no unencrypted PEM private key")
        }
        var configuration = TLSConfiguration.makeServerConfiguration(certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
        configuration.minimumTLSVersion = .tlsv12
        configuration.applicationProtocols = ApexTLSChannel.applicationProtocols
        do { _ = try NIOSSLContext(configuration: configuration) } catch {
            throw ConfigurationError("APEX_TLS_KEY_FILE (\(keyFile)) is not the private key of the certificate in APEX_TLS_CERT_FILE (\(certificateFile))")
        }
        return configuration
    }

    private static func read(_ path: String, setting: String) throws -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigurationError("cannot read \(setting) at \(path)")
        }
        return Array(data)
    }
}
