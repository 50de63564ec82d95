import Foundation

/// One email to one recipient: what the outbox keeps and the transports send.
public struct MailMessage: Sendable, Hashable, Codable {
    /// The message key: `<event id>:<recipient user id>:<template>`; the `Message-ID` derives from it.
    public var key: String
    /// `From`, as `APEX_MAIL_FROM` gives it (`Apex <noreply@example.com>` or a bare address).
    public var from: String
    /// The recipient's address.
    public var to: String
    /// The subject, any Unicode.
    public var subject: String
    /// The plain-text part.
    public var text: String
    /// The HTML part.
    public var html: String

    /// A message.
    public init(key: String, from: String, to: String, subject: String, text: String, html: String) {
        self.key = key
        self.from = from
        self.to = to
        self.subject = subject
        self.text = text
        self.html = html
    }

    /// The bare address of ``from`` (inside `<…>` when there is a display name).
    public var envelopeFrom: String { Self.address(from) }

    /// The address inside `<…>`, or the text itself.
    static func address(_ text: String) -> String {
        if let open = text.lastIndex(of: "<"), let close = text.lastIndex(of: ">"), open < close {
            return String(text[text.index(after: open)..<close])
        }
        return text.trimmingCharacters(in: .whitespaces)
    }
}
