import Foundation
import NIOCore
import NIOPosix
import NIOSSL

/// A small SMTP client over SwiftNIO: one connection per message batch, EHLO, STARTTLS
/// (``SMTPSettings/StartTLS``), AUTH PLAIN (else LOGIN), MAIL/RCPT/DATA pipelined when the
/// server offers PIPELINING, dot-stuffing, and a timeout on every wait for an answer.
///
/// Every reply maps to an ``SMTPOutcome``: 2xx after the data is sent, a 5xx anywhere failed,
/// a 4xx, no answer in time or a connection that fails is deferred. Errors never show the
/// password.
public struct SMTPClient: Sendable {
    /// Where and how to connect.
    public let settings: SMTPSettings
    /// How long to wait for a connection and for each answer.
    public let timeout: Duration
    /// The name this client gives in EHLO.
    public let heloName: String

    /// A client for `settings`.
    public init(settings: SMTPSettings, timeout: Duration = .seconds(30), heloName: String = "apex.localdomain") {
        self.settings = settings
        self.timeout = timeout
        self.heloName = heloName
    }

    /// Sends `data` (a complete message, CRLF line ends) from `from` to `recipients`.
    public func send(from: String, to recipients: [String], data: String) async -> SMTPOutcome {
        let (stream, continuation) = AsyncThrowingStream.makeStream(of: SMTPReply.self)
        let channel: any Channel
        do {
            let readTimeout = TimeAmount.nanoseconds(Int64(timeout.components.seconds) * 1_000_000_000 + timeout.components.attoseconds / 1_000_000_000)
            channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connectTimeout(readTimeout)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(IdleStateHandler(readTimeout: readTimeout))
                        try channel.pipeline.syncOperations.addHandler(SMTPLineHandler(continuation: continuation))
                    }
                }
                .connect(host: settings.host, port: settings.port).get()
        } catch {
            continuation.finish()
            return .deferred("cannot connect to \(settings.host):\(settings.port): \(error)")
        }
        var session = Session(channel: channel, replies: stream.makeAsyncIterator())
        let outcome: SMTPOutcome
        do {
            outcome = try await transact(&session, from: from, to: recipients, data: data)
        } catch {
            outcome = .deferred(String(describing: error))
        }
        if case .sent = outcome { _ = try? await session.command("QUIT") }
        try? await channel.close()
        continuation.finish()
        return outcome
    }

    /// The conversation after connecting.
    func transact(_ session: inout Session, from: String, to recipients: [String], data: String) async throws -> SMTPOutcome {
        let greeting = try await session.reply()
        guard greeting.code == 220 else { return .refused(greeting, at: "greeting") }
        var ehlo = try await session.command("EHLO \(heloName)")
        guard ehlo.code == 250 else { return .refused(ehlo, at: "EHLO") }
        var capabilities = Self.capabilities(ehlo)
        if settings.startTLS != .off {
            if capabilities["STARTTLS"] != nil {
                let reply = try await session.command("STARTTLS")
                guard reply.code == 220 else { return .refused(reply, at: "STARTTLS") }
                try await startTLS(on: session.channel)
                ehlo = try await session.command("EHLO \(heloName)")
                guard ehlo.code == 250 else { return .refused(ehlo, at: "EHLO") }
                capabilities = Self.capabilities(ehlo)
            } else if settings.startTLS == .required {
                return .deferred("the server does not offer STARTTLS, which APEX_SMTP_URL requires")
            }
        }
        if let user = settings.user {
            let password = settings.password ?? ""
            let mechanisms = Set((capabilities["AUTH"] ?? "").uppercased().split(separator: " ").map(String.init))
            if mechanisms.contains("PLAIN") || !mechanisms.contains("LOGIN") {
                let token = Data("\0\(user)\0\(password)".utf8).base64EncodedString()
                let reply = try await session.command("AUTH PLAIN \(token)", shown: "AUTH PLAIN ***")
                guard reply.code == 235 else { return .refused(reply, at: "AUTH") }
            } else {
                var reply = try await session.command("AUTH LOGIN")
                guard reply.code == 334 else { return .refused(reply, at: "AUTH") }
                reply = try await session.command(Data(user.utf8).base64EncodedString(), shown: "***")
                guard reply.code == 334 else { return .refused(reply, at: "AUTH") }
                reply = try await session.command(Data(password.utf8).base64EncodedString(), shown: "***")
                guard reply.code == 235 else { return .refused(reply, at: "AUTH") }
            }
        }
        let commands = ["MAIL FROM:<\(from)>"] + recipients.map { "RCPT TO:<\($0)>" } + ["DATA"]
        var replies: [SMTPReply] = []
        if capabilities["PIPELINING"] != nil {
            try await session.write(commands.map { $0 + "\r\n" }.joined())
            for _ in commands { replies.append(try await session.reply()) }
        } else {
            for command in commands {
                let reply = try await session.command(command)
                replies.append(reply)
                guard reply.isPositive else { break }
            }
        }
        for (index, reply) in replies.enumerated() where !reply.isPositive {
            return .refused(reply, at: index == 0 ? "MAIL" : index == commands.count - 1 ? "DATA" : "RCPT")
        }
        guard replies.count == commands.count, replies.last?.code == 354 else {
            return .deferred("DATA: \(replies.last.map(String.init(describing:)) ?? "no answer")")
        }
        let final = try await session.command(Self.dotStuffed(data) + ".", shown: "<message>")
        guard (200..<300).contains(final.code) else { return .refused(final, at: "end of data") }
        return .sent(final.description)
    }

    /// Puts TLS under the connection (after the server's 220 to STARTTLS).
    func startTLS(on channel: any Channel) async throws {
        var configuration = TLSConfiguration.makeClientConfiguration()
        if let ca = settings.caFile { configuration.additionalTrustRoots = [.file(ca)] }
        let context = try NIOSSLContext(configuration: configuration)
        // An address is checked against the certificate's IP entries; only names go in SNI.
        let name: String? = settings.host.contains(":") || settings.host.allSatisfy({ $0.isNumber || $0 == "." }) ? nil : settings.host
        try await channel.eventLoop.submit {
            let handler = try NIOSSLClientHandler(context: context, serverHostname: name)
            try channel.pipeline.syncOperations.addHandler(handler, position: .first)
        }.get()
    }

    /// EHLO's keywords (upper-cased) and their parameters, from the lines after the greeting one.
    static func capabilities(_ ehlo: SMTPReply) -> [String: String] {
        var out: [String: String] = [:]
        for line in ehlo.lines.dropFirst() {
            let parts = line.split(separator: " ", maxSplits: 1)
            guard let key = parts.first else { continue }
            out[key.uppercased()] = parts.count > 1 ? String(parts[1]) : ""
        }
        return out
    }

    /// `data` with CRLF line ends, a `.` doubled at the start of every line (RFC 5321 4.5.2),
    /// and a final CRLF.
    public static func dotStuffed(_ data: String) -> String {
        var lines = data.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n").components(separatedBy: "\n")
        if lines.last == "" { lines.removeLast() }
        return lines.map { $0.hasPrefix(".") ? "." + $0 : $0 }.map { $0 + "\r\n" }.joined()
    }

    /// One open connection: writes commands and reads replies in order.
    struct Session {
        let channel: any Channel
        var replies: AsyncThrowingStream<SMTPReply, any Error>.AsyncIterator

        /// The next reply.
        mutating func reply() async throws -> SMTPReply {
            guard let reply = try await replies.next() else { throw SMTPSessionError(description: "connection closed") }
            return reply
        }

        /// Writes `text` as is.
        func write(_ text: String) async throws {
            try await channel.writeAndFlush(ByteBuffer(string: text))
        }

        /// Writes one command line and reads its reply; `shown` is what an error may say of it.
        @discardableResult
        mutating func command(_ line: String, shown: String? = nil) async throws -> SMTPReply {
            do { try await write(line + "\r\n") } catch {
                throw SMTPSessionError(description: "cannot send \(shown ?? line): connection lost")
            }
            return try await reply()
        }
    }
}
