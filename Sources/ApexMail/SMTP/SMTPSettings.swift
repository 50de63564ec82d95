import Foundation

/// Where and how to reach the SMTP server: `APEX_SMTP_URL`,
/// `smtp://user:pass@host:port?starttls=required|opportunistic|off&ca_file=/path/ca.pem`.
///
/// User and password are percent-decoded; ``description`` never shows the password.
/// `starttls` defaults to `opportunistic` (upgrade when the server offers it); `required`
/// defers every message to a server that does not offer it; `off` never upgrades.
/// `ca_file` adds a PEM certificate to trust (a private relay's own CA or a self-signed one).
public struct SMTPSettings: Sendable, Hashable, CustomStringConvertible {
    /// Whether to upgrade the connection with STARTTLS.
    public enum StartTLS: String, Sendable, Hashable {
        /// Upgrade, or defer the message if the server does not offer it.
        case required
        /// Upgrade when offered.
        case opportunistic
        /// Never upgrade.
        case off
    }

    /// The host name or address.
    public var host: String
    /// The port (default 25).
    public var port: Int
    /// The user for AUTH (PLAIN, else LOGIN), if any.
    public var user: String?
    /// The password for AUTH.
    public var password: String?
    /// The STARTTLS mode.
    public var startTLS: StartTLS
    /// A PEM file of certificates to trust besides the system's.
    public var caFile: String?

    /// Settings for `host:port` with no authentication.
    public init(host: String, port: Int = 25, user: String? = nil, password: String? = nil, startTLS: StartTLS = .opportunistic, caFile: String? = nil) {
        self.host = host
        self.port = port
        self.user = user
        self.password = password
        self.startTLS = startTLS
        self.caFile = caFile
    }

    /// Parses an `smtp://` URL; the error never repeats the URL (it may hold a password).
    public init(url text: String) throws(MailError) {
        guard let url = URLComponents(string: text), url.scheme?.lowercased() == "smtp", let host = url.host, !host.isEmpty else {
            throw MailError(.invalidSettings, "APEX_SMTP_URL must look like smtp://user:pass@host:port?starttls=required|opportunistic|off")
        }
        var mode = StartTLS.opportunistic
        var caFile: String?
        for item in url.queryItems ?? [] {
            switch item.name {
            case "starttls":
                guard let m = item.value.flatMap(StartTLS.init(rawValue:)) else {
                    throw MailError(.invalidSettings, "APEX_SMTP_URL: starttls must be required, opportunistic or off")
                }
                mode = m
            case "ca_file": caFile = item.value
            default: throw MailError(.invalidSettings, "APEX_SMTP_URL: unknown setting \(item.name) (starttls, ca_file)")
            }
        }
        let port = url.port ?? 25
        guard (1...65535).contains(port) else { throw MailError(.invalidSettings, "APEX_SMTP_URL: the port must be from 1 to 65535") }
        self.init(
            host: host.hasPrefix("[") ? String(host.dropFirst().dropLast()) : host, port: port,
            user: url.percentEncodedUser?.removingPercentEncoding, password: url.percentEncodedPassword?.removingPercentEncoding,
            startTLS: mode, caFile: caFile)
    }

    /// `smtp://user:***@host:port?starttls=mode`: safe to log.
    public var description: String {
        let who = user.map { "\($0)\(password == nil ? "" : ":***")@" } ?? ""
        return "smtp://\(who)\(host):\(port)?starttls=\(startTLS.rawValue)"
    }
}
