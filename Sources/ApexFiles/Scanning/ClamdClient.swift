public import NIOCore
import NIOPosix
import Synchronization

/// A client of ClamAV's daemon: `zINSTREAM` scans a stream of bytes sent in chunks (each a
/// 4-byte big-endian length and its bytes, then a zero length), `zVERSION` names the engine and
/// signature database. One connection per command; every command has a time limit.
///
/// ```swift
/// let clamd = ClamdClient(address: try ClamdAddress("unix:/run/clamav/clamd.ctl"))
/// let verdict = try await clamd.scan { send in
///     try await blobs.read(sha256, range: nil) { chunk in try await send(chunk) }
/// }
/// ```
public struct ClamdClient: Sendable {
    /// Where clamd listens.
    public let address: ClamdAddress
    /// The longest a connection may take to open.
    public var connectTimeout: Duration = .seconds(5)
    /// The longest a whole command (sending every chunk and reading the reply) may take.
    public var commandTimeout: Duration = .seconds(120)
    /// The longest reply read (clamd's are a line).
    static let replyLimit = 4096

    /// A client of clamd at `address`.
    public init(address: ClamdAddress) { self.address = address }

    /// `zVERSION`: the engine and the signature database's version.
    public func version() async throws(FilesError) -> ClamdVersion {
        ClamdVersion(reply: try await command("zVERSION\0") { _ in })
    }

    /// `zINSTREAM`: scans the bytes `source` sends, a chunk at a time (never held whole), and
    /// returns clamd's verdict. Throws ``FilesError/Code/scannerUnavailable`` when clamd cannot be
    /// reached or does not answer in time, and rethrows what `source` throws.
    public func scan(_ source: (_ send: (ByteBuffer) async throws -> Void) async throws -> Void) async throws -> ClamdVerdict {
        let reply = try await command("zINSTREAM\0") { outbound in
            try await source { chunk in
                guard chunk.readableBytes > 0 else { return }
                var framed = ByteBuffer()
                framed.reserveCapacity(chunk.readableBytes + 4)
                framed.writeInteger(UInt32(chunk.readableBytes), endianness: .big)
                framed.writeImmutableBuffer(chunk)
                try await outbound.write(framed)
            }
            try await outbound.write(ByteBuffer(bytes: [0, 0, 0, 0]))
        }
        return ClamdVerdict(reply: reply)
    }

    /// Connects, sends `name`, lets `body` write the rest, and reads the NUL-terminated reply.
    /// clamd may answer (and close) before the body is sent, e.g. when a stream passes its size
    /// limit: a write that fails then still yields that reply.
    private func command(
        _ name: String, _ body: (NIOAsyncChannelOutboundWriter<ByteBuffer>) async throws -> Void
    ) async throws(FilesError) -> String {
        let timedOut = TimeoutFlag()
        do {
            let channel = try await connect()
            // A watchdog closes the connection once the limit has passed: reads and writes then fail.
            let limit = commandTimeout
            let watchdog = Task {
                try await Task.sleep(for: limit)
                timedOut.value.store(true, ordering: .relaxed)
                channel.channel.close(promise: nil)
            }
            defer { watchdog.cancel() }
            return try await channel.executeThenClose { inbound, outbound in
                try await outbound.write(ByteBuffer(string: name))
                var sendFailure: (any Error)?
                do { try await body(outbound) } catch let error as ChannelError { sendFailure = error } catch let error as IOError { sendFailure = error }
                var reply = ByteBuffer()
                for try await chunk in inbound {
                    var chunk = chunk
                    reply.writeBuffer(&chunk)
                    if reply.readableBytesView.contains(0) || reply.readableBytes > Self.replyLimit { break }
                }
                guard reply.readableBytes > 0, !timedOut.value.load(ordering: .relaxed) else {
                    throw FilesError(.scannerUnavailable, "clamd at \(address) closed the connection without a reply\(sendFailure.map { " (\($0))" } ?? "")")
                }
                return String(decoding: reply.readableBytesView.prefix { $0 != 0 }, as: UTF8.self)
            }
        } catch let error as FilesError {
            if timedOut.value.load(ordering: .relaxed) { throw FilesError(.scannerUnavailable, "clamd at \(address) did not answer within \(commandTimeout)") }
            throw error
        } catch {
            if timedOut.value.load(ordering: .relaxed) { throw FilesError(.scannerUnavailable, "clamd at \(address) did not answer within \(commandTimeout)") }
            throw FilesError(.scannerUnavailable, "clamd at \(address) is not reachable: \(error)")
        }
    }

    private func connect() async throws -> NIOAsyncChannel<ByteBuffer, ByteBuffer> {
        let bootstrap = ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(.nanoseconds(Int64(connectTimeout.components.seconds) * 1_000_000_000 + connectTimeout.components.attoseconds / 1_000_000_000))
        let wrap: @Sendable (any Channel) -> EventLoopFuture<NIOAsyncChannel<ByteBuffer, ByteBuffer>> = { channel in
            channel.eventLoop.makeCompletedFuture { try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel) }
        }
        switch address {
        case .tcp(let host, let port): return try await bootstrap.connect(host: host, port: port, channelInitializer: wrap)
        case .unix(let path): return try await bootstrap.connect(unixDomainSocketPath: path, channelInitializer: wrap)
        }
    }
}

/// Set by a command's watchdog when it closed the connection.
private final class TimeoutFlag: Sendable {
    let value = Atomic(false)
}
