import Foundation

/// What clamd answered to a stream: `stream: OK`, `stream: NAME FOUND`, or `… ERROR`.
public enum ClamdVerdict: Sendable, Hashable {
    /// Nothing found.
    case clean
    /// A signature matched; its name, e.g. `Test.EICAR.NDB.UNOFFICIAL`.
    case infected(signature: String)
    /// clamd could not scan the stream (e.g. `INSTREAM size limit exceeded`): no verdict.
    case error(String)

    /// Parses one reply (without its terminating NUL or newline). Anything unrecognised is an error.
    public init(reply raw: String) {
        let reply = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        // Replies name the stream first (`stream: …`); a session would prefix a request number.
        let body = reply.hasPrefix("stream: ") ? String(reply.dropFirst("stream: ".count)) : reply
        if body == "OK" {
            self = .clean
        } else if body.hasSuffix(" FOUND") {
            let name = String(body.dropLast(" FOUND".count)).trimmingCharacters(in: .whitespaces)
            self = name.isEmpty ? .error(reply) : .infected(signature: name)
        } else {
            self = .error(reply.hasSuffix(" ERROR") ? String(reply.dropLast(" ERROR".count)) : reply)
        }
    }
}

/// What `zVERSION` answered: the engine and its signature database, e.g. `ClamAV 1.4.6/27400/Mon Dec …`.
public struct ClamdVersion: Sendable, Hashable {
    /// `ClamAV 1.4.6`.
    public var engine: String
    /// The signature database's version (`27400`), nil when clamd does not say.
    public var database: String?

    /// Parses a `zVERSION` reply.
    public init(reply raw: String) {
        let parts = raw.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: "/", maxSplits: 2, omittingEmptySubsequences: false)
        engine = parts.first.map(String.init) ?? ""
        database = parts.count > 1 ? String(parts[1]) : nil
    }

    /// `ClamAV 1.4.6/27400`, the form `file.scanned` records.
    public var recorded: String { database.map { "\(engine)/\($0)" } ?? engine }
}
