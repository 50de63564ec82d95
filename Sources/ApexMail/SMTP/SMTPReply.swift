import Foundation

/// One SMTP reply: its code and its text lines (a multi-line reply joined with `\n`).
public struct SMTPReply: Sendable, Hashable, CustomStringConvertible {
    /// The three-digit code, e.g. 250.
    public var code: Int
    /// The text after the code, one entry per line.
    public var lines: [String]

    /// A reply of `code` with `lines`.
    public init(code: Int, lines: [String]) {
        self.code = code
        self.lines = lines
    }

    /// `250 OK`, lines joined with spaces: what an outbox row keeps of the server's answer.
    public var description: String { "\(code) \(lines.joined(separator: " "))".trimmingCharacters(in: .whitespaces) }

    /// 2xx and 3xx: the command was accepted (354 asks for the message).
    var isPositive: Bool { (200..<400).contains(code) }
}

/// What became of one attempt to hand a message to the SMTP server.
public enum SMTPOutcome: Sendable, Hashable {
    /// The server took the message (2xx after the data); its reply.
    case sent(String)
    /// Try again later: a 4xx reply, no answer in time, or no connection; why.
    case deferred(String)
    /// The server refused it for good (5xx); its reply.
    case failed(String)

    /// The reply or reason kept with the message.
    public var detail: String {
        switch self {
        case .sent(let s), .deferred(let s), .failed(let s): s
        }
    }

    /// The outcome of a refusing reply: 5xx fails, anything else defers.
    static func refused(_ reply: SMTPReply, at step: String) -> SMTPOutcome {
        let text = "\(step): \(reply)"
        return (500..<600).contains(reply.code) ? .failed(text) : .deferred(text)
    }
}

/// Why an SMTP session stopped before a reply: the outbox defers the message.
struct SMTPSessionError: Error, CustomStringConvertible {
    var description: String
}
