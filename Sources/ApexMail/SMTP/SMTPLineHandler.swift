import NIOCore
import Synchronization

/// Splits what the server sends into replies (`250-…` continuation lines up to `250 …`) and
/// yields each to ``replies``; a read timeout (an ``IdleStateHandler`` before it), a closed
/// connection or an error ends the stream with an ``SMTPSessionError``.
final class SMTPLineHandler: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer

    let continuation: AsyncThrowingStream<SMTPReply, any Error>.Continuation
    private let buffer = Mutex<(bytes: [UInt8], lines: [String])>(([], []))

    init(continuation: AsyncThrowingStream<SMTPReply, any Error>.Continuation) {
        self.continuation = continuation
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var bytes = unwrapInboundIn(data)
        let chunk = bytes.readBytes(length: bytes.readableBytes) ?? []
        let replies: [SMTPReply] = buffer.withLock { state in
            var out: [SMTPReply] = []
            state.bytes += chunk
            while let newline = state.bytes.firstIndex(of: UInt8(ascii: "\n")) {
                var line = String(decoding: state.bytes[..<newline], as: UTF8.self)
                state.bytes.removeSubrange(...newline)
                if line.hasSuffix("\r") { line.removeLast() }
                let code = Int(line.prefix(3)) ?? 0
                let separator = line.dropFirst(3).first
                state.lines.append(String(line.dropFirst(4)))
                if separator != "-" {
                    out.append(SMTPReply(code: code, lines: state.lines))
                    state.lines = []
                }
            }
            return out
        }
        for reply in replies { continuation.yield(reply) }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let idle = event as? IdleStateHandler.IdleStateEvent, idle == .read {
            continuation.finish(throwing: SMTPSessionError(description: "no answer in time"))
            context.close(promise: nil)
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    func channelInactive(context: ChannelHandlerContext) {
        continuation.finish(throwing: SMTPSessionError(description: "connection closed"))
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        continuation.finish(throwing: SMTPSessionError(description: "connection error: \(error)"))
        context.close(promise: nil)
    }
}
