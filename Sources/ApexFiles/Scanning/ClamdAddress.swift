/// Where ClamAV's daemon listens, as `APEX_CLAMD` names it: `tcp://host:port` or `unix:/path`.
///
/// ```swift
/// let address = try ClamdAddress("unix:/run/clamav/clamd.ctl")
/// ```
public enum ClamdAddress: Sendable, Hashable, CustomStringConvertible {
    /// A TCP socket (`TCPSocket` / `TCPAddr` in `clamd.conf`).
    case tcp(host: String, port: Int)
    /// A Unix socket (`LocalSocket` in `clamd.conf`).
    case unix(path: String)

    /// Parses `tcp://host:port` (an IPv6 host in brackets) or `unix:/path` (also `unix:///path`).
    public init(_ text: String) throws(FilesError) {
        if text.hasPrefix("unix:") {
            var path = String(text.dropFirst("unix:".count))
            if path.hasPrefix("//") { path = String(path.dropFirst(2)) }
            guard path.hasPrefix("/"), path.utf8.count < 108 else {
                throw FilesError(.invalidScanner, "APEX_CLAMD=unix: needs an absolute socket path under 108 bytes, e.g. unix:/run/clamav/clamd.ctl")
            }
            self = .unix(path: path)
            return
        }
        guard text.hasPrefix("tcp://") else {
            throw FilesError(.invalidScanner, "APEX_CLAMD must be tcp://host:port or unix:/path")
        }
        let rest = text.dropFirst("tcp://".count)
        guard let colon = rest.lastIndex(of: ":"), let port = Int(rest[rest.index(after: colon)...]), (1...65535).contains(port) else {
            throw FilesError(.invalidScanner, "APEX_CLAMD=tcp:// needs a host and a port from 1 to 65535, e.g. tcp://127.0.0.1:3310")
        }
        var host = String(rest[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty, !host.contains("/") else {
            throw FilesError(.invalidScanner, "APEX_CLAMD=tcp:// needs a host, e.g. tcp://127.0.0.1:3310")
        }
        self = .tcp(host: host, port: port)
    }

    /// `tcp://host:port` or `unix:/path`.
    public var description: String {
        switch self {
        case .tcp(let host, let port): host.contains(":") ? "tcp://[\(host)]:\(port)" : "tcp://\(host):\(port)"
        case .unix(let path): "unix:\(path)"
        }
    }
}
