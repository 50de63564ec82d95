public import ApexDomain
public import ApexStore
public import Foundation

/// The body of a message: `{type, timestamp, data}`, where `data` is the event's audit entry
/// (the design brief's format: before, after, diff, actor, reason, request id) **without** the
/// IP address, user agent or forwarding headers: a webhook receiver is a third party.
public enum WebhookPayload {
    /// The body for `entry`'s event.
    public static func body(_ entry: AuditEntry) -> String {
        let event = entry.event
        return text(["type": .string(event.type), "timestamp": .string(Timestamp.format(event.recordedAt)), "data": data(entry)])
    }

    /// The audit entry as a receiver sees it: personal request metadata removed, the event's
    /// id, stream and account added.
    public static func data(_ entry: AuditEntry) -> JSONValue {
        var o = entry.json(showPersonalData: false).objectValue ?? [:]
        let m = entry.event.requestMetadata
        o["request_metadata"] = [
            "request_id": m.requestID.map(JSONValue.string) ?? .null, "trace_id": m.traceID.map(JSONValue.string) ?? .null,
        ]
        o["id"] = .string(entry.event.id.lowercased)
        o["stream"] = .string(entry.event.stream.rawValue)
        o["account_id"] = .string(entry.event.accountID.lowercased)
        return .object(o)
    }

    /// The body of a `webhook.test` message.
    public static func test(endpoint: UUID, at date: Date) -> String {
        text(["type": "webhook.test", "timestamp": .string(Timestamp.format(date)), "data": ["webhook_id": .string(endpoint.lowercased)]])
    }

    static func text(_ value: JSONValue) -> String { String(decoding: CanonicalJSON.bytes(value), as: UTF8.self) }

    /// The audit entries of `events` read from `store`: a project event's before and after
    /// come from replaying its project's stream up to it; other streams' events have empty ones.
    public static func entries(of events: [EventEnvelope], store: any EventStore) async throws -> [UUID: AuditEntry] {
        var entries: [UUID: AuditEntry] = [:]
        var projects: [StreamID: Int64] = [:]
        for event in events {
            if event.stream.projectID != nil {
                projects[event.stream] = max(projects[event.stream] ?? 0, event.version)
            } else {
                // An anomaly flag holds no personal value: its payload is the `after` a receiver acts on.
                let after: JSONValue = event.type == AuditAnomalyFlagged.type ? event.data : .object([:])
                entries[event.id] = AuditEntry(event: event, before: .object([:]), after: after)
            }
        }
        for (stream, version) in projects {
            let history = try await store.readStream(stream, from: 1, limit: Int(version), mode: .stored)
            let trail = (try? ProjectHistory(events: history).auditTrail()) ?? history.map { AuditEntry(event: $0, before: .object([:]), after: .object([:])) }
            for entry in trail { entries[entry.event.id] = entry }
        }
        return entries
    }
}
