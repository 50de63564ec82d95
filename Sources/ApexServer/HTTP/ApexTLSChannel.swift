import HummingbirdCore
import HummingbirdHTTP2
import Logging
import NIOCore
import NIOSSL
import NIOTLS

/// HTTPS: TLS, then HTTP/2 or HTTP/1.1 as the client's ALPN offer decides. HTTP/1.1 gets
/// ``ApexHTTP1Channel``'s whole pipeline (decoder limits, head and body read deadlines, idle
/// timeout); HTTP/2 gets Hummingbird's connection (idle timeout when no stream is open) with
/// the body read deadline and idle timeout on every stream. The connection cap applies to both,
/// as it sits on the listener.
struct ApexTLSChannel: ServerChildChannel {
    /// What the server offers by ALPN, best first.
    static let applicationProtocols = ["h2", "http/1.1"]

    /// The protocol a connection settled on, with its channel value.
    enum Negotiated: Sendable {
        case http1(ApexHTTP1Channel.Value)
        case http2(HTTP2Channel.Value)
    }

    /// A connection whose protocol is known once its handshake is done.
    struct Value: ServerChildChannelValue {
        let negotiated: EventLoopFuture<Negotiated>
        let channel: any Channel
    }

    /// ALPN settled on a protocol the server did not offer.
    struct UnexpectedProtocol: Error {}

    let context: NIOSSLContext
    let http1: ApexHTTP1Channel
    let http2: HTTP2Channel

    /// A channel speaking TLS with `configuration` (``TLSFiles/serverConfiguration()``).
    init(configuration: TLSConfiguration, http1: ApexHTTP1Channel, logger: Logger) throws {
        self.context = try NIOSSLContext(configuration: configuration)
        var http1 = http1
        http1.secure = true
        self.http1 = http1
        let deadlines = (head: http1.headTimeout, body: http1.bodyTimeout)
        let streams = HTTP1Channel.Configuration(
            additionalChannelHandlers: [RequestPartWatcher(RequestReadDeadlines(headTimeout: deadlines.head, bodyTimeout: deadlines.body, logger: logger))],
            idleTimeout: http1.idleTimeout)
        self.http2 = HTTP2Channel(
            responder: http1.responder,
            configuration: .init(idleTimeout: http1.idleTimeout.map { .nanoseconds($0.nanoseconds) }, streamConfiguration: streams))
    }

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        let http1 = self.http1, http2 = self.http2
        return channel.eventLoop.makeCompletedFuture {
            let pipeline = channel.pipeline.syncOperations
            try pipeline.addHandler(NIOSSLServerHandler(context: context))
            let negotiation = NIOTypedApplicationProtocolNegotiationHandler<Negotiated> { result in
                switch result {
                case .negotiated("h2"):
                    return http2.setup(channel: channel, logger: logger).map { .http2($0) }
                case .negotiated("http/1.1"), .fallback:
                    return http1.setup(channel: channel, logger: logger).map { .http1($0) }
                case .negotiated:
                    return channel.close().flatMapThrowing { throw UnexpectedProtocol() }
                }
            }
            try pipeline.addHandler(negotiation)
            return Value(negotiated: negotiation.protocolNegotiationResult, channel: channel)
        }
    }

    func handle(value: Value, logger: Logger) async {
        do {
            switch try await value.negotiated.get() {
            case .http1(let connection): await http1.handle(value: connection, logger: logger)
            case .http2(let connection): await http2.handle(value: connection, logger: logger)
            }
        } catch {
            // A failed handshake (plain HTTP to this port, an untrusted client): nothing to serve.
            logger.debug("TLS connection ended before a protocol was agreed", metadata: ["error": "\(error)"])
        }
    }
}
