public import ApexStore
public import Foundation

/// How mail is sent. Every setting has an environment variable (``init(environment:)``).
public struct MailConfiguration: Sendable {
    /// The SMTP server (`APEX_SMTP_URL` or `APEX_SMTP_URL_FILE`); nil: messages are written as
    /// `.eml` files in ``folder``.
    public var smtp: SMTPSettings?
    /// `From` of every message (`APEX_MAIL_FROM`).
    public var from = "Apex <noreply@apex.localdomain>"
    /// Where messages are written without SMTP: `mail/` beside the SQLite store (the server
    /// sets it), else `./apex-data/mail`.
    public var folder: URL?
    /// Delays before each retry of a deferred message (`APEX_MAIL_RETRY_SCHEDULE`, e.g. `1s,2s`);
    /// a message deferred past the last one is failed.
    public var retrySchedule = RetrySchedule.standard
    /// How long to wait for the SMTP server's connection and each answer (`APEX_SMTP_TIMEOUT`).
    public var timeout: Duration = .seconds(30)
    /// How often the sender looks for due messages.
    public var pollInterval: Duration = .milliseconds(250)
    /// A folder with one folder of templates per locale (`en/`, `es/`) overriding the shipped
    /// ones (`APEX_TEMPLATES_DIR`).
    public var templatesDirectory: String?

    /// Defaults: no SMTP (files), the standard retry schedule.
    public init() {}

    /// Defaults overridden by `environment`. `NAME_FILE` holds the value of `NAME` for the SMTP URL.
    public init(environment: [String: String]) throws(MailError) {
        var url = environment["APEX_SMTP_URL"].flatMap { $0.isEmpty ? nil : $0 }
        if url == nil, let path = environment["APEX_SMTP_URL_FILE"], !path.isEmpty {
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                throw MailError(.invalidSettings, "cannot read APEX_SMTP_URL_FILE at \(path)")
            }
            url = text.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        if let url { smtp = try SMTPSettings(url: url) }
        if let text = environment["APEX_MAIL_FROM"], !text.isEmpty {
            guard MailMessage.address(text).contains("@"), !text.contains("\r"), !text.contains("\n") else {
                throw MailError(.invalidSettings, "APEX_MAIL_FROM must be an address, optionally with a name: Apex <noreply@example.com>")
            }
            from = text
        }
        if let text = environment["APEX_MAIL_RETRY_SCHEDULE"], !text.isEmpty {
            do { retrySchedule = try RetrySchedule(parsing: text) } catch {
                throw MailError(.invalidSettings, "APEX_MAIL_RETRY_SCHEDULE must be comma-separated durations such as 1s,2s,5s")
            }
        }
        if let text = environment["APEX_SMTP_TIMEOUT"], !text.isEmpty {
            guard let seconds = Double(text.hasSuffix("s") ? String(text.dropLast()) : text), seconds > 0 else {
                throw MailError(.invalidSettings, "APEX_SMTP_TIMEOUT must be a number of seconds such as 30s")
            }
            timeout = .milliseconds(Int64(seconds * 1000))
        }
        if let text = environment["APEX_TEMPLATES_DIR"], !text.isEmpty { templatesDirectory = text }
    }

    /// Where messages go: the SMTP server, else ``folder`` (or `./apex-data/mail`).
    public var transport: MailTransport {
        if let smtp {
            let domain = MailMessage.address(from).split(separator: "@").last.map(String.init) ?? "apex.localdomain"
            return .smtp(SMTPClient(settings: smtp, timeout: timeout, heloName: domain))
        }
        return .folder(EmlFolder(url: folder ?? URL(fileURLWithPath: "apex-data/mail")))
    }
}
