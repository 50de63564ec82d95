import Logging
import NIOCore
import NIOHTTPTypes

/// How long a client may take to send a request once it has started: its head (from the first
/// byte to the blank line) and its body (from the head to the last byte). Hummingbird's idle
/// timeout only looks at decoded request parts, so a head trickled a byte at a time or a body
/// that never ends would otherwise hold the connection for as long as the idle timeout allows
/// after every part. The state is shared by two handlers of one channel and only touched on its
/// event loop: ``RawBytesWatcher`` (before the HTTP decoder: the first byte of a head) and
/// ``RequestPartWatcher`` (after it: the head and the end of a request).
///
/// A body's allowance grows with what it has sent: the body timeout plus one second for every
/// ``minimumBodyRate`` bytes received, so a large upload on a slow line goes on as long as it
/// keeps at least that rate, while a body trickled a few bytes at a time is closed after the
/// timeout (what Kestrel's minimum request body data rate does).
final class RequestReadDeadlines {
    enum Phase { case awaitingHead, readingHead, readingBody }

    /// Bytes a second a body must keep up, on average, to be allowed past the body timeout.
    static let minimumBodyRate = 16 * 1024

    let headTimeout: TimeAmount?
    let bodyTimeout: TimeAmount?
    let logger: Logger
    private(set) var phase = Phase.awaitingHead
    private var timer: Scheduled<Void>?
    /// When the current body's head was read, and how many body bytes arrived since.
    private var bodyStart = NIODeadline.now()
    private var bodyBytes = 0

    init(headTimeout: TimeAmount?, bodyTimeout: TimeAmount?, logger: Logger) {
        self.headTimeout = headTimeout
        self.bodyTimeout = bodyTimeout
        self.logger = logger
    }

    /// Bytes arrived: a head starts here unless one is already being read.
    func bytesArrived(on context: ChannelHandlerContext) {
        guard phase == .awaitingHead else { return }
        phase = .readingHead
        arm(headTimeout, on: context, what: "request head")
    }

    /// The head is complete: the body's clock starts.
    func headRead(on context: ChannelHandlerContext) {
        phase = .readingBody
        bodyStart = .now()
        bodyBytes = 0
        armBody(on: context)
    }

    /// Body bytes arrived: they extend the body's allowance when its timer next fires.
    func bodyRead(_ bytes: Int) { bodyBytes += bytes }

    /// Closes the connection when the body's allowance (``bodyTimeout`` plus a second per
    /// ``minimumBodyRate`` bytes received) has run out; otherwise waits until it would.
    private func armBody(on context: ChannelHandlerContext) {
        disarm()
        guard let timeout = bodyTimeout else { return }
        let allowance = timeout + .nanoseconds(Int64(bodyBytes) * 1_000_000_000 / Int64(Self.minimumBodyRate))
        let left = bodyStart + allowance - .now()
        guard left > .zero else {
            logger.notice("closing a connection that did not send its request body in time", metadata: [
                "timeout_ms": "\(timeout.nanoseconds / 1_000_000)", "body_bytes": "\(bodyBytes)",
            ])
            context.channel.close(promise: nil)
            return
        }
        let loop = context.eventLoop.assumeIsolated()
        let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
        timer = loop.scheduleTask(in: left) { [self] in
            guard phase == .readingBody else { return }
            armBody(on: bound.value)
        }
    }

    /// The request is complete: nothing is being read until the next head's first byte.
    func requestRead() {
        phase = .awaitingHead
        disarm()
    }

    func disarm() {
        timer?.cancel()
        timer = nil
    }

    private func arm(_ timeout: TimeAmount?, on context: ChannelHandlerContext, what: String) {
        disarm()
        guard let timeout else { return }
        let channel = context.channel
        let logger = self.logger
        timer = context.eventLoop.assumeIsolated().scheduleTask(in: timeout) {
            logger.notice("closing a connection that did not send its \(what) in time", metadata: ["timeout_ms": "\(timeout.nanoseconds / 1_000_000)"])
            channel.close(promise: nil)
        }
    }
}

/// Sees the raw bytes before the HTTP decoder: the first byte of a request starts its head's clock.
final class RawBytesWatcher: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    let deadlines: RequestReadDeadlines

    init(_ deadlines: RequestReadDeadlines) { self.deadlines = deadlines }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if unwrapInboundIn(data).readableBytes > 0 { deadlines.bytesArrived(on: context) }
        context.fireChannelRead(data)
    }

    func channelInactive(context: ChannelHandlerContext) {
        deadlines.disarm()
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) { deadlines.disarm() }
}

/// Sees the decoded request parts: a head stops the head's clock and starts the body's; the
/// request's end stops that.
final class RequestPartWatcher: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    let deadlines: RequestReadDeadlines

    init(_ deadlines: RequestReadDeadlines) { self.deadlines = deadlines }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head: deadlines.headRead(on: context)
        case .body(let buffer): deadlines.bodyRead(buffer.readableBytes)
        case .end: deadlines.requestRead()
        }
        context.fireChannelRead(data)
    }
}
