import ApexDomain
import Foundation

extension AuditReport {
    /// The CSV columns, one row per event.
    package static let csvColumns = [
        "position", "version", "recorded_at", "type", "actor_user_id", "actor_name", "on_behalf_of", "service",
        "ip_address", "user_agent", "x_forwarded_for", "peer_address", "request_id", "trace_id", "reason",
        "changes", "data", "event_id", "hash",
    ]

    /// One row per event, written by ``CSV``: RFC 4180, and a value that a spreadsheet would run as
    /// a formula gets a leading `'`. Other values are as recorded; `changes` and `data` are canonical JSON.
    package var csv: String {
        var out = CSV.row(Self.csvColumns)
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
            out += CSV.row(fields.map { $0 ?? "" })
        }
        return out
    }
}
