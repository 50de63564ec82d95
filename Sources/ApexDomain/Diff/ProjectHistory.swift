public import Foundation

/// A project's stream, replayed on demand: its state at any version or time, the diff between
/// two versions, and the audit trail of every event with its before, after and diff.
public struct ProjectHistory: Sendable {
    /// The events, in version order.
    public let events: [EventEnvelope]

    /// A history of `events` (in version order, from version 1).
    public init(events: [EventEnvelope]) { self.events = events }

    /// The state after `version` events (0: before the project existed).
    public func state(atVersion version: Int64) throws -> ProjectState {
        guard version >= 0, version <= Int64(events.count) else {
            throw DomainError(.invalidInput, "version must be between 0 and \(events.count)", field: "version")
        }
        return try ProjectState.replay(events.prefix(Int(version)))
    }

    /// The state as it was at `date`: every event recorded at or before it.
    public func state(at date: Date) throws -> ProjectState {
        try ProjectState.replay(events.prefix { $0.recordedAt <= date })
    }

    /// The differences between the states at two versions.
    public func diff(from: Int64, to: Int64) throws -> Diff {
        Diff.between(try state(atVersion: from).auditJSON, try state(atVersion: to).auditJSON)
    }

    /// One audit entry per event, in version order, each with before, after and diff computed by replay.
    public func auditTrail() throws -> [AuditEntry] { try Self.auditTrail(of: events, after: ProjectState()) }

    /// One audit entry per event of `events` (consecutive versions, in order), replayed from
    /// `state`, the project's state before the first of them: a page of the trail.
    public static func auditTrail(of events: some Collection<EventEnvelope>, after state: ProjectState) throws -> [AuditEntry] {
        var state = state
        return try auditTrail(of: events, continuing: &state)
    }

    /// ``auditTrail(of:after:)``, leaving `state` at the last event's: a reader of the whole
    /// trail page by page (an export) carries it from one page to the next.
    public static func auditTrail(of events: some Collection<EventEnvelope>, continuing state: inout ProjectState) throws -> [AuditEntry] {
        var entries: [AuditEntry] = []
        entries.reserveCapacity(events.count)
        for event in events {
            let before = state.auditJSON
            try state.apply(event)
            entries.append(AuditEntry(event: event, before: before, after: state.auditJSON))
        }
        return entries
    }
}

/// One event as the audit trail shows it (the design brief's format).
public struct AuditEntry: Sendable, Hashable {
    /// The event.
    public var event: EventEnvelope
    /// The state before it.
    public var before: JSONValue
    /// The state after it.
    public var after: JSONValue
    /// What it changed.
    public var diff: Diff

    /// An entry; the diff is computed from `before` and `after`.
    public init(event: EventEnvelope, before: JSONValue, after: JSONValue) {
        self.event = event
        self.before = before
        self.after = after
        self.diff = Diff.between(before, after)
    }

    /// The entry as JSON. Personal request metadata shows as plaintext or `[erased]`, or as
    /// `null` when `showPersonalData` is false (for viewers who are not owner or admin).
    public func json(showPersonalData: Bool = true) -> JSONValue {
        let m = event.requestMetadata
        func personal(_ p: Personal?) -> JSONValue {
            guard showPersonalData, let p else { return .null }
            return .string(p.display)
        }
        var actor: [String: JSONValue] = ["user_id": event.actor.userID.map { .string($0.lowercased) } ?? .null]
        if let o = event.actor.onBehalfOf { actor["on_behalf_of"] = .string(o.lowercased) }
        if let s = event.actor.service { actor["service"] = .string(s) }
        var metadata: [String: JSONValue] = [
            "ip_address": personal(m.ipAddress),
            "user_agent": personal(m.userAgent),
            "x_forwarded_for": personal(m.xForwardedFor),
            "request_id": m.requestID.map(JSONValue.string) ?? .null,
            "trace_id": m.traceID.map(JSONValue.string) ?? .null,
        ]
        // Only on events that recorded a `Forwarded` header (older events have no such field).
        if m.forwarded != nil { metadata["forwarded"] = personal(m.forwarded) }
        return .object([
            "position": .number(Double(event.position)),
            "version": .number(Double(event.version)),
            "type": .string(event.type),
            "recorded_at": .string(Timestamp.format(event.recordedAt)),
            "actor": .object(actor),
            "reason": event.reason.map(JSONValue.string) ?? .null,
            "request_metadata": .object(metadata),
            "before": before,
            "after": after,
            "diff": diff.json,
        ])
    }
}
