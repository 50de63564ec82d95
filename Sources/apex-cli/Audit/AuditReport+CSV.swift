import ApexDomain
import Foundation

extension AuditReport {
    /// The CSV columns, one row per event.
    static let csvColumns = [
        "position", "version", "recorded_at", "type", "actor_user_id", "actor_name", "on_behalf_of", "service",
        "ip_address", "user_agent", "x_forwarded_for", "peer_address", "request_id", "trace_id", "reason",
        "changes", "data", "event_id", "hash",
    ]

    /// One row per event (RFC 4180: CRLF line ends, fields quoted when they hold a comma, quote or
    /// line break, quotes doubled). Values are written verbatim, as recorded; `changes` and `data`
    /// are canonical JSON.
    var csv: String {
        var out = Self.csvColumns.joined(separator: ",") + "\r\n"
        for row in rows {
            let e = row.event
            let m = e.requestMetadata
            let fields: [String?] = [
                String(e.position), String(e.version), Timestamp.format(e.recordedAt), e.type,
                e.actor.userID?.lowercased, row.actorName, e.actor.onBehalfOf?.lowercased, e.actor.service,
                m.ipAddress?.display, m.userAgent?.display, m.xForwardedFor?.display, m.peerAddress?.display,
                m.requestID, m.traceID, e.reason,
                CanonicalJSON.string(row.entry.diff.json), CanonicalJSON.string(e.data), e.id.lowercased, e.hash,
            ]
            out += fields.map { Self.csvField($0 ?? "") }.joined(separator: ",") + "\r\n"
        }
        return out
    }

    /// One RFC 4180 field.
    static func csvField(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\r" || $0 == "\n" || $0 == "\r\n" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
