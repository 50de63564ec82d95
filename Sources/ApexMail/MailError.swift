/// Why mail settings or a mail operation failed: a stable ``Code`` and a message safe to show
/// (never a password).
public struct MailError: Error, Sendable, CustomStringConvertible {
    /// A stable code.
    public enum Code: String, Sendable {
        /// A setting (`APEX_SMTP_URL`, `APEX_MAIL_FROM`, a retry schedule) is malformed.
        case invalidSettings = "invalid_mail_settings"
        /// A template is missing or does not render.
        case template = "mail_template"
        /// The store keeps no feature tables (the in-memory store).
        case unavailable = "mail_unavailable"
    }

    /// The code.
    public var code: Code
    /// The message.
    public var message: String

    /// An error of `code` saying `message`.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// The message.
    public var description: String { message }
}
