import ApexServer
import AsyncHTTPClient
import Foundation
import HTTPTypes
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import Testing

/// HTTPS served by the server itself (`APEX_TLS_CERT_FILE`/`APEX_TLS_KEY_FILE`) through a real
/// socket, with a certificate the test makes: HTTP/2 and HTTP/1.1 by ALPN, HSTS on every
/// answer, no plain HTTP on the port, and clear start-up errors for bad files.
@Suite(.serialized) struct TLSTests {
    /// Serves a world over HTTPS with a certificate made for the test.
    static func servingTLS(_ body: @escaping @Sendable (TestCertificate, World, Int) async throws -> Void) async throws {
        try await TestCertificate.with { certificate in
            try await World.with(withProjects: false, configure: {
                $0.tls = TLSFiles(certificateFile: certificate.certificateFile, keyFile: certificate.keyFile)
            }) { world in
                try await world.serve { port in try await body(certificate, world, port) }
            }
        }
    }

    @Test func httpsAnswersOverHTTP2AndHTTP1WithHSTS() async throws {
        try await Self.servingTLS { certificate, world, port in
            for version in [HTTPClient.Configuration.HTTPVersion.automatic, .http1Only] {
                let client = try Self.client(trusting: certificate, version: version)
                do {
                    var request = HTTPClientRequest(url: "https://localhost:\(port)/v1/me")
                    request.headers.add(name: "Authorization", value: "Bearer \(world.token("owner"))")
                    let me = try await client.execute(request, timeout: .seconds(30))
                    #expect(me.status.code == 200)
                    #expect(me.version == (version == .http1Only ? .http1_1 : .http2))
                    #expect(me.headers.first(name: "Strict-Transport-Security") == "max-age=31536000")
                    // Refusals carry it too.
                    let refused = try await client.execute(HTTPClientRequest(url: "https://localhost:\(port)/v1/me"), timeout: .seconds(30))
                    #expect(refused.status.code == 401)
                    #expect(refused.headers.first(name: "Strict-Transport-Security") == "max-age=31536000")
                    let health = try await client.execute(HTTPClientRequest(url: "https://127.0.0.1:\(port)/healthz"), timeout: .seconds(30))
                    #expect(health.status.code == 200)
                } catch {
                    try? await client.shutdown()
                    throw error
                }
                try await client.shutdown()
            }
        }
    }

    @Test func plainHTTPToTheTLSPortGetsNoAnswer() async throws {
        try await Self.servingTLS { _, _, port in
            let socket = try RawSocket(port: port)
            _ = socket.send("GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n")
            let reply = await socket.read(limit: 5)
            #expect(!reply.hasPrefix("HTTP/"), "plain HTTP was answered: \(reply.prefix(40))")
            #expect(await socket.secondsUntilClosed(limit: 5) != nil, "the server kept a plain-HTTP connection open")
        }
    }

    @Test func withoutTLSThereIsNoHSTS() async throws {
        try await World.with(withProjects: false) { world in
            let reply = try await world.test { try await $0.call(.get, "/healthz") }
            #expect(reply.code == 200)
            #expect(reply.headers[.init("Strict-Transport-Security")!] == nil)
        }
    }

    @Test func badFilesStopTheStartNamingTheFileNeverTheKey() async throws {
        try await TestCertificate.with { certificate in
            let key = try String(contentsOfFile: certificate.keyFile, encoding: .utf8)
            let missing = certificate.folder.appendingPathComponent("nope.pem").path
            let otherKey = certificate.folder.appendingPathComponent("other.pem").path
            try certificate.makeOtherKey(at: otherKey)
            let cases: [(TLSFiles, String)] = [
                (TLSFiles(certificateFile: missing, keyFile: certificate.keyFile), "cannot read APEX_TLS_CERT_FILE at \(missing)"),
                (TLSFiles(certificateFile: certificate.certificateFile, keyFile: missing), "cannot read APEX_TLS_KEY_FILE at \(missing)"),
                (TLSFiles(certificateFile: certificate.keyFile, keyFile: certificate.keyFile), "APEX_TLS_CERT_FILE (\(certificate.keyFile)) holds no PEM certificate"),
                (TLSFiles(certificateFile: certificate.certificateFile, keyFile: certificate.certificateFile), "APEX_TLS_KEY_FILE (\(certificate.certificateFile)) holds no"),
                (TLSFiles(certificateFile: certificate.certificateFile, keyFile: otherKey), "APEX_TLS_KEY_FILE (\(otherKey)) is not the private key"),
            ]
            for (files, expected) in cases {
                let error = #expect(throws: ConfigurationError.self) { try files.serverConfiguration() }
                let text = error?.description ?? ""
                #expect(text.hasPrefix(expected), "\(text)")
                #expect(!text.contains("PRIVATE KEY") && !text.contains(String(key.split(separator: "\n")[1].prefix(20))))
            }
        }
    }

    static func client(trusting certificate: TestCertificate, version: HTTPClient.Configuration.HTTPVersion) throws -> HTTPClient {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(certificate.certificateFile))
        var configuration = HTTPClient.Configuration(tlsConfiguration: tls)
        configuration.httpVersion = version
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }
}

/// The server's own read deadlines hold over TLS: a request head trickled over HTTPS is cut off
/// by the header-read timeout, as over plain HTTP (`ConnectionTimeoutTests`).
@Suite(.serialized) struct TLSDeadlineTests {
    @Test func aHalfSentHeadOverTLSIsClosedByTheHeaderTimeout() async throws {
        try await TestCertificate.with { certificate in
            try await World.with(withProjects: false, configure: {
                $0.tls = TLSFiles(certificateFile: certificate.certificateFile, keyFile: certificate.keyFile)
                $0.headerReadTimeout = .milliseconds(500)
            }) { world in
                try await world.serve { port in
                    var tls = TLSConfiguration.makeClientConfiguration()
                    tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(certificate.certificateFile))
                    tls.applicationProtocols = ["http/1.1"]
                    let context = try NIOSSLContext(configuration: tls)
                    let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                        .channelInitializer { channel in
                            channel.eventLoop.makeCompletedFuture {
                                try channel.pipeline.syncOperations.addHandler(try NIOSSLClientHandler(context: context, serverHostname: "localhost"))
                            }
                        }
                        .connect(host: "127.0.0.1", port: port).get()
                    try await channel.writeAndFlush(ByteBuffer(string: "GET /healthz HTTP/1.1\r\nHost: localhost\r\n")).get()
                    let start = ContinuousClock.now
                    // A watchdog closes it from our side after 8 s, should the server not.
                    let watchdog = Task { try? await Task.sleep(for: .seconds(8)); try? await channel.close() }
                    try? await channel.closeFuture.get()
                    watchdog.cancel()
                    let waited = ContinuousClock.now - start
                    #expect(waited < .seconds(5), "closed only after \(waited)")
                }
            }
        }
    }
}
