import ApexDomain
import Foundation
import Testing

private let confirmed = DomainFixtures.license.confirmed(by: DomainFixtures.ownerID)

private func approve(_ id: UUID, revision: Int) -> ProjectCommand {
    .approveCalculation(calculationID: id, revision: revision, approver: DomainFixtures.engineerID, license: confirmed, reason: "checked")
}

/// A project with calculations A and B, both approved, moved to `approved`.
private func approvedProject() throws -> ProjectScenario {
    var s = try ProjectScenario.created()
    try s.run([
        .runCalculation(calculationID: DomainFixtures.calcA, type: .poleBaseMoment, inputs: DomainFixtures.poleInputs),
        .runCalculation(calculationID: DomainFixtures.calcB, type: .poleBaseMoment, inputs: DomainFixtures.poleInputs),
        approve(DomainFixtures.calcA, revision: 1), approve(DomainFixtures.calcB, revision: 1),
        .changeStatus(to: .estimating, reason: nil), .changeStatus(to: .submitted, reason: nil),
        .changeStatus(to: .approved, reason: "stamped"),
    ])
    return s
}

/// From `approved` on, calculations are frozen; reopening (`approved -> estimating`, with a
/// reason) unfreezes them and makes every calculation need approving again.
@Suite struct ProjectFreezeTests {
    static let frozenStatuses: [ProjectStatus] = [.approved, .inFabrication, .completed]

    @Test(arguments: frozenStatuses)
    func calculationsAreFrozen(_ status: ProjectStatus) throws {
        var s = try approvedProject()
        if status != .approved { try s.run(.changeStatus(to: .inFabrication, reason: nil)) }
        if status == .completed { try s.run(.changeStatus(to: .completed, reason: nil)) }
        #expect(s.state.status == status)
        let run = s.refusal(.runCalculation(calculationID: DomainFixtures.uuid(5, prefix: "d"), type: .poleBaseMoment, inputs: DomainFixtures.poleInputs))
        #expect(run?.code == .projectLocked)
        #expect(s.refusal(.reviseCalculation(calculationID: DomainFixtures.calcA, inputs: ["F": 1, "y": 1, "Fb": 1]))?.code == .projectLocked)
        // Descriptive fields stay editable.
        try s.run(.update(changes: ["description": "shop notes"]))
    }

    @Test func reopeningNeedsAReason() throws {
        let s = try approvedProject()
        for reason: String? in [nil, "", "  \n"] {
            #expect(s.refusal(.changeStatus(to: .estimating, reason: reason))?.code == .reasonRequired)
        }
        #expect(s.refusal(.changeStatus(to: .estimating, reason: String(repeating: "r", count: 2001)))?.field == "reason")
    }

    @Test func reopenedProjectsNeedEveryCalculationApprovedAgain() throws {
        var s = try approvedProject()
        let reopened = try s.run(.changeStatus(to: .estimating, reason: "wind map changed"))
        #expect(reopened.first?.reason == "wind map changed")
        #expect(s.state.calculations.values.allSatisfy { $0.latestApproval == nil })
        try s.run(.reviseCalculation(calculationID: DomainFixtures.calcA, inputs: ["F": 2500, "y": 15, "Fb": 30]))
        try s.run(.changeStatus(to: .submitted, reason: nil))
        #expect(s.refusal(.changeStatus(to: .approved, reason: "again"))?.code == .approvalMissing)
        try s.run(approve(DomainFixtures.calcA, revision: 2))
        let missing = s.refusal(.changeStatus(to: .approved, reason: "again"))
        #expect(missing?.code == .approvalMissing)
        #expect(missing?.message.contains(DomainFixtures.calcB.lowercased) == true)
        // The unrevised calculation's revision is approved again, not refused as approved already.
        try s.run(approve(DomainFixtures.calcB, revision: 1))
        try s.run(.changeStatus(to: .approved, reason: "again"))
        #expect(s.state.status == .approved)
    }

    @Test func onlyApprovedReopens() throws {
        var s = try approvedProject()
        try s.run(.changeStatus(to: .inFabrication, reason: nil))
        #expect(s.refusal(.changeStatus(to: .estimating, reason: "x"))?.code == .invalidTransition)
    }

    @Test func reopeningIsForOwnerAndAdmin() {
        let project = Resource.project(
            ProjectResource(accountID: DomainFixtures.accountID, projectID: DomainFixtures.projectID, status: .approved))
        for role in Role.allCases {
            let principal = Principal(userID: DomainFixtures.engineerID, accountID: DomainFixtures.accountID, role: role)
            let decision = AccessPolicy.decide(principal, .projectEdit, project, AccessContext(now: DomainFixtures.now, newStatus: .estimating))
            #expect(decision.isAllowed == (role == .owner || role == .admin), "\(role): \(decision)")
        }
        // Moving on to fabrication stays with whoever may edit.
        let estimator = Principal(userID: DomainFixtures.engineerID, accountID: DomainFixtures.accountID, role: .estimator)
        #expect(AccessPolicy.decide(estimator, .projectEdit, project, AccessContext(now: DomainFixtures.now, newStatus: .inFabrication)).isAllowed)
    }

    /// An optional reason is capped and checked like a required one.
    @Test func optionalReasonsAreCapped() throws {
        let s = try ProjectScenario.created()
        let long = s.refusal(.changeStatus(to: .estimating, reason: String(repeating: "r", count: 2001)))
        #expect(long == DomainError(.invalidInput, "reason must be at most 2000 characters", field: "reason"))
        #expect(s.refusal(.changeStatus(to: .estimating, reason: "a\u{0}b"))?.code == .invalidText)
        _ = try s.decide(.changeStatus(to: .estimating, reason: String(repeating: "r", count: 2000)))
    }

    /// `client_id` must name one of the account's client users when the context lists them.
    @Test func clientIDMustBeAClientOfTheAccount() throws {
        let client = DomainFixtures.clientID, stranger = DomainFixtures.uuid(42, prefix: "b")
        let context = DecisionContext(now: DomainFixtures.now, clients: [client])
        func decide(_ command: ProjectCommand, _ state: ProjectState) throws(DomainError) -> [DraftEvent] {
            try ProjectDecider.decide(command, state: state, context: context)
        }
        let fresh = ProjectState()
        #expect(throws: DomainError(.invalidInput, "client_id \(stranger.lowercased) is not a client user of this account", field: "client_id")) {
            try decide(.create(projectID: DomainFixtures.projectID, fields: DomainFixtures.fields(clientID: stranger)), fresh)
        }
        _ = try decide(.create(projectID: DomainFixtures.projectID, fields: DomainFixtures.fields(clientID: client)), fresh)
        let s = try ProjectScenario.created(DomainFixtures.fields(clientID: stranger))
        // Unchanged, it is not checked again; changed to a non-client, it is.
        _ = try decide(.update(changes: ["name": "Renamed"]), s.state)
        #expect(throws: DomainError.self) { try decide(.update(changes: ["client_id": .string(DomainFixtures.ownerID.uuidString)]), s.state) }
        _ = try decide(.update(changes: ["client_id": .null]), s.state)
        // A revert that would set it to a non-client is refused; one that keeps it is not.
        var t = try ProjectScenario.created()
        try t.run(.update(changes: ["client_id": .string(client.uuidString)]))
        let then = try ProjectHistory(events: t.events).state(atVersion: 2).fields
        let noLongerClients = DecisionContext(now: DomainFixtures.now, clients: [])
        #expect(throws: DomainError.self) {
            try ProjectDecider.decide(.revert(toVersion: 2, fieldsThen: then, reason: "undo"), state: ProjectScenario.created().state, context: noLongerClients)
        }
        _ = try ProjectDecider.decide(.revert(toVersion: 2, fieldsThen: then, reason: "undo"), state: t.state, context: noLongerClients)
    }
}

/// A calculation whose output is not finite is an input error naming the inputs.
@Suite struct NonFiniteOutputTests {
    @Test func aSubnormalStressIsRefused() {
        // A subnormal Double, as the JSON text 1e-320 parses (a literal would warn).
        let inputs: [String: JSONValue] = ["F": 100, "y": 10, "Fb": .number(Double("1e-320")!)]
        #expect(throws: DomainError.self) { try CalculationEngine.run(.poleBaseMoment, inputs: inputs) }
        do {
            _ = try CalculationEngine.run(.poleBaseMoment, inputs: inputs)
        } catch {
            #expect(error.code == .invalidInput)
            #expect(error.field == "inputs")
            #expect(error.message.contains("S = inf"))
            #expect(error.message.contains("Fb=1e-320"))
        }
    }
}
