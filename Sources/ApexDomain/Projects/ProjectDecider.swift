/// Commands to events: the project's rules, pure.
///
/// ```swift
/// let drafts = try ProjectDecider.decide(.changeStatus(to: .estimating, reason: nil), state: state, context: ctx)
/// ```
public enum ProjectDecider {
    /// The events that carry out `command` on `state`, or the rule it breaks.
    public static func decide(_ command: ProjectCommand, state: ProjectState, context: DecisionContext) throws(DomainError) -> [DraftEvent] {
        if case .create(let id, let fields) = command {
            guard !state.exists else { throw DomainError(.alreadyExists, "project \(id.lowercased) exists already") }
            try fields.validate()
            try checkClient(fields.clientID, context)
            return [try DecideSupport.draft(ProjectCreated(projectID: id, fields: fields))]
        }
        guard state.exists else { throw DomainError(.notFound, "the project does not exist") }
        switch command {
        case .create: fatalError("handled above")
        case .restore(let reason):
            guard state.deleted else { throw DomainError(.invalidTransition, "the project is not deleted") }
            return [try DecideSupport.draft(ProjectRestored(), reason: try DecideSupport.required(reason, "restoring a project"))]
        default: break
        }
        guard !state.deleted else { throw DomainError(.deleted, "the project is deleted; restore it first") }
        switch command {
        case .create, .restore:
            fatalError("handled above")
        case .update(let changes):
            try writable(state)
            guard !changes.isEmpty else { throw DomainError(.invalidInput, "the patch changes nothing") }
            let merged = try state.fields.merging(changes)
            try merged.validate()
            if merged.clientID != state.fields.clientID { try checkClient(merged.clientID, context) }
            let current = state.fields.json.objectValue ?? [:]
            let effective = (merged.json.objectValue ?? [:]).filter { current[$0.key] != $0.value }
            guard !effective.isEmpty else { return [] }
            return [try DecideSupport.draft(ProjectUpdated(changes: effective))]
        case .changeStatus(let to, let reason):
            return [try statusChange(state, to: to, reason: reason)]
        case .delete(let reason):
            try writable(state)
            return [try DecideSupport.draft(ProjectDeleted(), reason: try DecideSupport.required(reason, "deleting a project"))]
        case .revert(let toVersion, let fieldsThen, let reason):
            try writable(state)
            guard toVersion >= 1, toVersion <= state.version else {
                throw DomainError(.invalidInput, "to_version must be between 1 and \(state.version)", field: "to_version")
            }
            let why = try DecideSupport.required(reason, "a revert")
            // A revert may not attach the project to someone who is no longer a client of the account.
            if fieldsThen.clientID != state.fields.clientID { try checkClient(fieldsThen.clientID, context) }
            return [try DecideSupport.draft(ProjectReverted(toVersion: toVersion, fields: fieldsThen), reason: why)]
        case .runCalculation(let calculationID, let type, let inputs):
            try writable(state)
            try unfrozen(state)
            guard state.calculations[calculationID] == nil else {
                throw DomainError(.alreadyExists, "calculation \(calculationID.lowercased) exists already")
            }
            let result = try CalculationEngine.run(type, inputs: inputs)
            return [try DecideSupport.draft(CalculationRun(calculationID: calculationID, revision: 1, result: result))]
        case .reviseCalculation(let calculationID, let inputs):
            try writable(state)
            try unfrozen(state)
            guard let record = state.calculations[calculationID] else {
                throw DomainError(.notFound, "calculation \(calculationID.lowercased) does not exist")
            }
            let result = try CalculationEngine.run(record.latest.type, inputs: inputs)
            return [try DecideSupport.draft(CalculationRun(calculationID: calculationID, revision: record.latestRevision + 1, result: result))]
        case .approveCalculation(let calculationID, let revision, let approver, let license, let reason):
            try writable(state)
            guard let record = state.calculations[calculationID] else {
                throw DomainError(.notFound, "calculation \(calculationID.lowercased) does not exist")
            }
            guard revision == record.latestRevision else {
                throw DomainError(
                    .staleRevision, "revision \(revision) is not the latest (\(record.latestRevision)); approve the latest revision",
                    field: "revision")
            }
            guard let license else { throw DomainError(.peLicenseRequired, "approving a calculation needs a PE license") }
            guard license.confirmedBy != approver else {
                throw DomainError(.peLicenseRequired, "a PE license confirmed by its own licensee does not count; another owner or admin confirms it")
            }
            let today = CivilDate(containing: context.now)
            guard license.expiresOn >= today else {
                throw DomainError(.peLicenseRequired, "PE license \(license.number) (\(license.state)) expired on \(license.expiresOn), before \(today)")
            }
            guard record.approvals[revision] == nil else {
                throw DomainError(.alreadyExists, "revision \(revision) is approved already")
            }
            let why = try DecideSupport.required(reason, "an approval")
            let approval = CalculationApproved(
                calculationID: calculationID, revision: revision, resultHash: record.latest.resultHash, approvedBy: approver,
                peLicense: license)
            return [try DecideSupport.draft(approval, reason: why)]
        case .uploadFile, .reviseFile, .deleteFile, .recordFileScan, .createFileLink, .recordFileThumbnail:
            return try decideFile(command, state: state)
        }
    }

    private static func statusChange(_ state: ProjectState, to: ProjectStatus, reason: String?) throws(DomainError) -> DraftEvent {
        let from = state.status
        if from == .archived {
            guard let back = state.statusBeforeArchive, to == back else {
                throw DomainError(
                    .invalidTransition,
                    "an archived project can only be restored to the status it had (\(state.statusBeforeArchive?.rawValue ?? "draft"))",
                    field: "status")
            }
            return try DecideSupport.draft(ProjectStatusChanged(from: from, to: to), reason: try DecideSupport.required(reason, "restoring an archived project"))
        }
        guard from.successors.contains(to) else {
            let allowed = from.successors.map(\.rawValue).sorted().joined(separator: ", ")
            throw DomainError(.invalidTransition, "a \(from.rawValue) project cannot move to \(to.rawValue) (allowed: \(allowed))", field: "status")
        }
        var why = try DecideSupport.optional(reason)
        if to == .approved || to == .archived {
            why = try DecideSupport.required(reason, "moving a project to \(to.rawValue)")
        }
        if from == .approved, to == .estimating {
            why = try DecideSupport.required(reason, "reopening an approved project")
        }
        if to == .approved {
            let unapproved = state.calculations.values.filter { $0.latestApproval == nil }.map(\.id.lowercased).sorted()
            guard unapproved.isEmpty else {
                throw DomainError(
                    .approvalMissing,
                    "every calculation's latest revision must be approved by a PE first; not approved: \(unapproved.joined(separator: ", "))")
            }
        }
        return try DecideSupport.draft(ProjectStatusChanged(from: from, to: to), reason: why)
    }

    /// From `approved` on, calculations are frozen until the project is reopened.
    private static func unfrozen(_ state: ProjectState) throws(DomainError) {
        guard !state.status.isApprovedOrLater else {
            throw DomainError(
                .projectLocked,
                "the project is \(state.status.rawValue): its calculations are frozen; an owner or admin reopens an approved project (status estimating, with a reason) to change them")
        }
    }

    /// A `client_id` being set must name a client user of the account (when the context lists them).
    private static func checkClient(_ clientID: UUID?, _ context: DecisionContext) throws(DomainError) {
        guard let clientID, let clients = context.clients, !clients.contains(clientID) else { return }
        throw DomainError(
            .invalidInput, "client_id \(clientID.lowercased) is not a client user of this account", field: "client_id")
    }

    static func writable(_ state: ProjectState) throws(DomainError) {
        guard state.status != .archived else {
            throw DomainError(.readOnly, "the project is archived and read-only until it is restored")
        }
    }


}

import Foundation
