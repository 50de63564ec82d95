package import ApexDomain
package import ApexStore
package import Foundation

/// Everything an audit report shows about one project, gathered by replay: rendered as JSON,
/// CSV or a printable HTML page.
package struct AuditReport: Sendable {
    /// One event of the timeline: who, what, when, where from, why, and what it changed.
    package struct Row: Sendable {
        package var entry: AuditEntry
        package var actorName: String?
        package var onBehalfOfName: String?
        package var event: EventEnvelope { entry.event }
    }

    /// One PE approval of a calculation revision.
    package struct Approval: Sendable {
        package var approval: CalculationApproved
        package var calculationType: String
        package var approverName: String?
        package var position: Int64
        package var version: Int64
        package var recordedAt: Date
        package var reason: String?
        /// The approved hash is the revision's result hash, and that result hashes to it.
        package var resultHashMatches: Bool
    }

    package var projectID: UUID
    package var stream: StreamID
    package var state: ProjectState
    package var accountName: String?
    package var rows: [Row]
    package var approvals: [Approval]
    package var verification: VerifyReport
    package var storeDescription: String
    package var generatedAt: Date
    package var engineVersion = CalculationEngine.version

    /// The calculations, by id.
    package var calculations: [CalculationRecord] { state.calculations.values.sorted { $0.id < $1.id } }

    /// `intact` or `TAMPERED`: the verification result in one word.
    package var verdict: String { verification.ok ? "intact" : "TAMPERED" }

    /// Reads the project (opened: personal data in plaintext or erased), the names of the
    /// account's users, and verifies the whole store.
    package static func build(store: any EventStore, project id: UUID, storeDescription: String, now: Date = Date(),
                      progress: (@Sendable (Int64) -> Void)? = nil) async throws -> AuditReport {
        let stream = StreamID.project(id)
        let events = try await store.readStream(stream, from: 1, limit: .max, mode: .opened)
        guard let first = events.first else { throw AuditError(.notFound, "no project \(id.lowercased) in this store (stream \(stream) has no events)") }
        let history = ProjectHistory(events: events)
        let entries: [AuditEntry]
        do { entries = try history.auditTrail() } catch {
            throw AuditError(.damagedStore, "the project's events do not replay (\(error)): run apex-cli verify")
        }
        let state = try history.state(atVersion: Int64(events.count))
        let account = try? AccountState.replay(try await store.readStream(.account(first.accountID)))
        func name(_ user: UUID?) -> String? { user.flatMap { account?.users[$0]?.shownName } }

        let rows = entries.map { Row(entry: $0, actorName: name($0.event.actor.userID), onBehalfOfName: name($0.event.actor.onBehalfOf)) }
        var approvals: [Approval] = []
        for event in events where event.type == CalculationApproved.type {
            guard let a = try? event.payload(as: CalculationApproved.self), let record = state.calculations[a.calculationID] else { continue }
            let result = a.revision >= 1 && a.revision <= record.revisions.count ? record.revisions[a.revision - 1] : nil
            approvals.append(Approval(
                approval: a, calculationType: record.latest.type.rawValue, approverName: name(a.approvedBy), position: event.position,
                version: event.version, recordedAt: event.recordedAt, reason: event.reason,
                resultHashMatches: result.map { $0.resultHash == a.resultHash && $0.recomputedHash() == a.resultHash } ?? false))
        }
        let verification = try await store.verify(options: VerifyOptions(inspect: DomainReplay().inspect), progress: progress)
        return AuditReport(
            projectID: id, stream: stream, state: state, accountName: account?.name, rows: rows, approvals: approvals,
            verification: verification, storeDescription: storeDescription, generatedAt: now)
    }
}

/// The output formats of `audit report`.
package enum ReportFormat: String, CaseIterable, Sendable {
    case html, json, csv
}

extension AuditReport {
    /// The report in `format`, as the bytes of the file.
    package func rendered(_ format: ReportFormat) -> [UInt8] {
        switch format {
        case .json: CanonicalJSON.bytes(json) + [0x0A]
        case .csv: Array(csv.utf8)
        case .html: Array(html.utf8)
        }
    }

    /// A short text for a JSON value in a table cell: strings bare, everything else as canonical JSON.
    package static func text(_ value: JSONValue) -> String {
        if case .string(let s) = value { return s }
        return CanonicalJSON.string(value)
    }

    /// A verification failure in one line.
    package static func describe(_ f: VerifyFailure) -> String {
        var place: [String] = []
        if let s = f.stream { place.append("stream \(s)") }
        if let v = f.version { place.append("version \(v)") }
        if let p = f.position { place.append("position \(p)") }
        return place.isEmpty ? "\(f.kind): \(f.message)" : "\(f.kind) at \(place.joined(separator: ", ")): \(f.message)"
    }
}
