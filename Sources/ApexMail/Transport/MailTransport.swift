public import Foundation

/// Where messages go: an SMTP server (``SMTPClient``) or, without one, a folder of `.eml`
/// files (``EmlFolder``).
public enum MailTransport: Sendable {
    /// Through an SMTP server.
    case smtp(SMTPClient)
    /// Written as files in a folder.
    case folder(EmlFolder)

    /// Hands `message` over.
    public func deliver(_ message: MailMessage, date: Date) async -> SMTPOutcome {
        let data = MIMEWriter.render(message, date: date)
        switch self {
        case .smtp(let client): return await client.send(from: message.envelopeFrom, to: [message.to], data: data)
        case .folder(let folder): return folder.write(data, key: message.key)
        }
    }

    /// Where mail goes, safe to log.
    public var description: String {
        switch self {
        case .smtp(let client): "SMTP \(client.settings)"
        case .folder(let folder): ".eml files in \(folder.url.path) (set APEX_SMTP_URL to send mail)"
        }
    }
}

/// A folder of `.eml` files, one per message, named by the message key's hash: where mail goes
/// when no SMTP server is configured (`apex-data/mail/` beside the SQLite store), so a newcomer
/// can open each in a mail program.
public struct EmlFolder: Sendable {
    /// The folder.
    public let url: URL

    /// The folder at `url` (created on first write).
    public init(url: URL) { self.url = url }

    /// Writes `data`; rewriting one key replaces its file.
    func write(_ data: String, key: String) -> SMTPOutcome {
        let name = MIMEWriter.messageID(key: key, from: "x@x").dropFirst().prefix(32)
        let file = url.appendingPathComponent("\(name).eml")
        do {
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
            try Data(data.utf8).write(to: file, options: .atomic)
            return .sent("written to \(file.lastPathComponent)")
        } catch {
            return .deferred("cannot write \(file.path): \(error.localizedDescription)")
        }
    }
}
