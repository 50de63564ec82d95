public import Foundation

/// A calculation as the project knows it: every revision, and the approvals.
public struct CalculationRecord: Sendable, Hashable {
    /// The calculation.
    public var id: UUID
    /// Each revision's result; revision `n` is `revisions[n - 1]`.
    public var revisions: [CalculationResult]
    /// Approvals by revision, since the project was last reopened.
    public var approvals: [Int: CalculationApproved]

    /// The latest revision number.
    public var latestRevision: Int { revisions.count }
    /// The latest revision's result.
    public var latest: CalculationResult { revisions[revisions.count - 1] }
    /// The approval of the latest revision, if it has one.
    public var latestApproval: CalculationApproved? { approvals[latestRevision] }
}

/// A project as the fold of its stream: never stored as truth, always rebuilt by replay.
///
/// ```swift
/// var state = ProjectState()
/// for event in events { try state.apply(event) }
/// ```
public struct ProjectState: Sendable, Hashable {
    /// The project id (nil before `project.created`).
    public var id: UUID?
    /// The owning account.
    public var accountID: UUID?
    /// The descriptive fields.
    public var fields: ProjectFields = ProjectFields(name: "")
    /// The lifecycle status.
    public var status: ProjectStatus = .draft
    /// The status to return to when an archived project is restored.
    public var statusBeforeArchive: ProjectStatus?
    /// Soft-deleted.
    public var deleted = false
    /// The stream version this state reflects (0: no events).
    public var version: Int64 = 0
    /// When and by whom it was created.
    public var createdAt: Date?
    /// The creating user.
    public var createdBy: UUID?
    /// When it last changed.
    public var updatedAt: Date?
    /// Who changed it last.
    public var updatedBy: UUID?
    /// Calculations by id.
    public var calculations: [UUID: CalculationRecord] = [:]
    /// Files by id, deleted ones included (they stay in the history).
    public var files: [UUID: FileRecord] = [:]

    /// An empty state: the project does not exist yet.
    public init() {}

    /// Whether `project.created` has been applied.
    public var exists: Bool { id != nil }

    /// Folds one event into the state.
    ///
    /// Throws when the event does not fit (a version out of order, an unknown type, a
    /// payload that does not decode): a stream that does not replay is corrupt.
    public mutating func apply(_ event: EventEnvelope) throws {
        try apply(event, recordingActor: true)
    }

    /// ``apply(_:)``; `recordingActor` false leaves `updatedBy` as it was, for a replay that
    /// will apply a later event (so only the last event's actor is decoded).
    private mutating func apply(_ event: EventEnvelope, recordingActor: Bool) throws {
        guard event.version == version + 1 else {
            throw DomainError(.invalidInput, "event version \(event.version) does not follow \(version)")
        }
        switch event.type {
        case ProjectCreated.type:
            let e = try event.payload(as: ProjectCreated.self)
            id = e.projectID
            accountID = event.accountID
            fields = e.fields
            status = .draft
            createdAt = event.recordedAt
            createdBy = event.actor.userID
        case ProjectUpdated.type:
            fields = try fields.merging(try event.payload(as: ProjectUpdated.self).changes)
        case ProjectStatusChanged.type:
            let e = try event.payload(as: ProjectStatusChanged.self)
            if e.to == .archived { statusBeforeArchive = status }
            if status == .archived { statusBeforeArchive = nil }
            if status == .approved, e.to == .estimating {
                // Reopened: the approvals given so far no longer count; every calculation's latest
                // revision is approved again before the project is. (They stay in the stream.)
                for id in calculations.keys { calculations[id]?.approvals = [:] }
            }
            status = e.to
        case ProjectDeleted.type:
            deleted = true
        case ProjectRestored.type:
            deleted = false
        case ProjectReverted.type:
            fields = try event.payload(as: ProjectReverted.self).fields
        case CalculationRun.type:
            let e = try event.payload(as: CalculationRun.self)
            var record = calculations[e.calculationID] ?? CalculationRecord(id: e.calculationID, revisions: [], approvals: [:])
            record.revisions.append(e.result)
            calculations[e.calculationID] = record
        case CalculationApproved.type:
            let e = try event.payload(as: CalculationApproved.self)
            calculations[e.calculationID]?.approvals[e.revision] = e
        case let type where FileRecord.eventTypes.contains(type):
            try FileRecord.apply(event, to: &files)
        default:
            throw DomainError(.unknownEventType, "unknown project event type '\(event.type)'")
        }
        version = event.version
        updatedAt = event.recordedAt
        if recordingActor { updatedBy = event.actor.userID }
    }

    /// Folds one event into a summary: a state that keeps no calculation or file records, as a
    /// project list's row does. Those records' events only move the version and the last change
    /// (``updatedAt``, ``updatedBy``); every other event folds as ``apply(_:)`` does. A summary
    /// costs the same to fold and to store however many calculation revisions the project holds.
    public mutating func applyToSummary(_ event: EventEnvelope) throws {
        if event.type == CalculationRun.type || event.type == CalculationApproved.type || FileRecord.eventTypes.contains(event.type) {
            guard event.version == version + 1 else {
                throw DomainError(.invalidInput, "event version \(event.version) does not follow \(version)")
            }
            version = event.version
            updatedAt = event.recordedAt
            updatedBy = event.actor.userID
        } else {
            try apply(event)
        }
        calculations = [:]
        files = [:]
    }

    /// Folds `events` in order, as ``apply(_:)`` each would: only the last event's actor is
    /// decoded, as it is the one `updatedBy` keeps.
    public mutating func apply<S: Sequence>(contentsOf events: S) throws where S.Element == EventEnvelope {
        var remaining = events.makeIterator()
        var next = remaining.next()
        while let event = next {
            next = remaining.next()
            try apply(event, recordingActor: next == nil)
        }
    }

    /// The state after folding `events` onto an empty one.
    public static func replay<S: Sequence>(_ events: S) throws -> ProjectState where S.Element == EventEnvelope {
        var state = ProjectState()
        try state.apply(contentsOf: events)
        return state
    }

    /// The state as the JSON that audit trails show `before` and `after` (dotted diff paths).
    public var auditJSON: JSONValue {
        guard exists else { return .object([:]) }
        var object = fields.json.objectValue ?? [:]
        object["status"] = .string(status.rawValue)
        object["deleted"] = .bool(deleted)
        var calcs: [String: JSONValue] = [:]
        for (id, record) in calculations {
            calcs[id.lowercased] = .object([
                "type": .string(record.latest.type.rawValue),
                "revision": .number(Double(record.latestRevision)),
                "result_hash": .string(record.latest.resultHash),
                "approved_revision": record.approvals.keys.max().map { .number(Double($0)) } ?? .null,
            ])
        }
        object["calculations"] = .object(calcs)
        // Only projects with files show them, so the trail of a project without files reads as before.
        if !files.isEmpty {
            var shown: [String: JSONValue] = [:]
            for (id, record) in files {
                shown[id.lowercased] = .object([
                    "name": .string(record.latest.content.name), "revision": .number(Double(record.latestRevision)),
                    "sha256": .string(record.latest.content.sha256), "status": .string(record.latest.status.rawValue),
                    "deleted": .bool(record.deleted),
                ])
            }
            object["files"] = .object(shown)
        }
        return .object(object)
    }
}
