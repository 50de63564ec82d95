import ApexDomain
import ApexStore
import Foundation

// What the HTML template renders: plain values, named uniquely across nesting levels, because
// Mustache looks a key that a context lacks up in the enclosing ones.
extension ReportHTML {
    struct Page {
        let projectName, projectID, stream, accountName, status, generatedAt, engineVersion, storeDescription: String
        let accountID: String?
        let deleted: Bool
        let version: Int64
        let verified: Bool
        let firstFailure: String?
        let eventsChecked: Int64, streamsChecked: Int, checkpointsChecked: Int
        let approvals: [Approval]
        let hasApprovals: Bool
        let calculations: [Calculation]
        let events: [Event]
        let eventCount: Int

        init(_ r: AuditReport) {
            projectName = r.state.fields.name
            projectID = r.projectID.lowercased
            stream = r.stream.rawValue
            accountName = r.accountName ?? ""
            accountID = r.state.accountID?.lowercased
            status = r.state.status.rawValue
            deleted = r.state.deleted
            version = r.state.version
            generatedAt = Timestamp.format(r.generatedAt)
            engineVersion = r.engineVersion
            storeDescription = r.storeDescription
            verified = r.verification.ok
            firstFailure = r.verification.ok ? nil : r.verification.firstFailure.map(AuditReport.describe)
            eventsChecked = r.verification.eventsChecked
            streamsChecked = r.verification.streamsChecked
            checkpointsChecked = r.verification.checkpointsChecked
            approvals = r.approvals.map(Approval.init)
            hasApprovals = !approvals.isEmpty
            calculations = r.calculations.map(Calculation.init)
            events = r.rows.map(Event.init)
            eventCount = r.rows.count
        }
    }

    struct Person {
        let personName: String?
        let personID: String
        init(_ name: String?, _ id: UUID) { (personName, personID) = (name, id.lowercased) }
    }

    struct Approval {
        let approvedAt, calculationType, calculationID: String
        let revision: Int
        let approver: Person
        let licenseNumber, licenseState, licenseExpiresOn, approvedHash, approvalReason: String
        let hashMatches: Bool

        init(_ a: AuditReport.Approval) {
            let license = a.approval.peLicense
            approvedAt = Timestamp.format(a.recordedAt)
            calculationType = a.calculationType
            calculationID = a.approval.calculationID.lowercased
            revision = a.approval.revision
            approver = Person(a.approverName, a.approval.approvedBy)
            (licenseNumber, licenseState, licenseExpiresOn) = (license.number, license.state, license.expiresOn.description)
            approvedHash = a.approval.resultHash
            approvalReason = a.reason ?? ""
            hashMatches = a.resultHashMatches
        }
    }

    struct Calculation {
        let calculationKind, calculationRecordID: String
        let revisions: [Revision]

        init(_ record: CalculationRecord) {
            calculationKind = record.latest.type.rawValue
            calculationRecordID = record.id.lowercased
            revisions = record.revisions.enumerated().map { index, result in
                Revision(
                    revisionNumber: index + 1, inputs: Value.list(result.inputs), outputs: Value.list(result.outputs),
                    revisionEngine: result.engineVersion, revisionHash: result.resultHash,
                    recomputes: result.recomputedHash() == result.resultHash, approvedText: record.approvals[index + 1] != nil ? "yes" : "no")
            }
        }
    }

    struct Revision {
        let revisionNumber: Int
        let inputs, outputs: [Value]
        let revisionEngine, revisionHash: String
        let recomputes: Bool
        let approvedText: String
    }

    /// `key = value` of a calculation's inputs or outputs, a line break before all but the first.
    struct Value {
        let valueBreak: Bool
        let valueKey, valueText: String

        static func list(_ object: [String: JSONValue]) -> [Value] {
            object.keys.sorted().enumerated().map { i, key in Value(valueBreak: i > 0, valueKey: key, valueText: AuditReport.text(object[key]!)) }
        }
    }

    struct Event {
        let eventVersion, position: Int64
        let eventType, recordedAt, eventID, eventHash: String
        let actor, onBehalfOf: Person?
        let serviceName: String?
        let serviceComma, anyone: Bool
        let fromItems: [From]
        let eventReason: String?
        let diffLines: [DiffLine]
        let hasDiff: Bool

        init(_ row: AuditReport.Row) {
            let e = row.event
            (eventVersion, position, eventType, recordedAt) = (e.version, e.position, e.type, Timestamp.format(e.recordedAt))
            (eventID, eventHash, eventReason) = (e.id.lowercased, e.hash, e.reason)
            actor = e.actor.userID.map { Person(row.actorName, $0) }
            onBehalfOf = e.actor.onBehalfOf.map { Person(row.onBehalfOfName, $0) }
            serviceName = e.actor.service
            serviceComma = actor != nil || onBehalfOf != nil
            anyone = serviceComma || serviceName != nil
            let m = e.requestMetadata
            let present: [(String, String)] = [
                ("ip", m.ipAddress?.display), ("user agent", m.userAgent?.display), ("x-forwarded-for", m.xForwardedFor?.display),
                ("peer", m.peerAddress?.display), ("request", m.requestID), ("trace", m.traceID),
            ].compactMap { label, value in value.map { (label, $0) } }
            fromItems = present.enumerated().map { i, item in From(fromSeparator: i > 0 ? "; " : "", fromLabel: item.0, fromValue: item.1) }
            diffLines = DiffLine.lines(row.entry.diff)
            hasDiff = !diffLines.isEmpty
        }
    }

    struct From {
        let fromSeparator, fromLabel, fromValue: String
    }

    struct DiffLine {
        let diffPath: String
        let before, after: Cell

        static func lines(_ diff: Diff) -> [DiffLine] {
            var lines = diff.changed.map { DiffLine(diffPath: $0.key, before: Cell($0.value.before), after: Cell($0.value.after)) }
            lines += diff.added.map { DiffLine(diffPath: $0.key, before: Cell(nil), after: Cell($0.value)) }
            lines += diff.removed.map { DiffLine(diffPath: $0.key, before: Cell($0.value), after: Cell(nil)) }
            return lines.sorted { $0.diffPath < $1.diffPath }
        }
    }

    /// A diff cell: absent (a dash), the empty string, or the value as text.
    struct Cell {
        let cellAbsent, cellEmpty: Bool
        let cellText: String?

        init(_ value: JSONValue?) {
            cellAbsent = value == nil
            cellEmpty = value == .string("")
            cellText = value.flatMap { $0 == .string("") ? nil : AuditReport.text($0) }
        }
    }
}
