import ApexDomain
import Foundation
import Testing

private let projectText = "c0000000-0000-4000-8000-000000000001"
private let calcAText = "d0000000-0000-4000-8000-00000000000a"
private let calcBText = "d0000000-0000-4000-8000-00000000000b"

/// A command with a readable name for parameterized tests.
struct NamedCommand: Sendable, CustomTestStringConvertible {
    var name: String
    var command: ProjectCommand
    var testDescription: String { name }
}

/// Commands on an existing project, one of each kind, all valid on a fresh draft with calculation A.
private let everyCommand: [NamedCommand] = [
    .init(name: "update", command: .update(changes: ["name": "Other"])),
    .init(name: "changeStatus", command: .changeStatus(to: .estimating, reason: "r")),
    .init(name: "delete", command: .delete(reason: "r")),
    .init(name: "revert", command: .revert(toVersion: 1, fieldsThen: DomainFixtures.fields(), reason: "r")),
    .init(name: "runCalculation", command: .runCalculation(calculationID: DomainFixtures.calcB, type: .poleBaseMoment, inputs: DomainFixtures.poleInputs)),
    .init(name: "reviseCalculation", command: .reviseCalculation(calculationID: DomainFixtures.calcA, inputs: ["F": 3000, "y": 15, "Fb": 30])),
    .init(
        name: "approveCalculation",
        command: .approveCalculation(calculationID: DomainFixtures.calcA, revision: 1, approver: DomainFixtures.engineerID, license: DomainFixtures.license, reason: "checked")),
]

/// The commands that change a project in place (what `archived` forbids).
private let editingCommands = everyCommand.filter { ["update", "delete", "revert", "runCalculation", "reviseCalculation", "approveCalculation"].contains($0.name) }

/// A project with calculation A (revision 1) run in it.
private func projectWithCalculation() throws -> ProjectScenario {
    var s = try ProjectScenario.created()
    try s.run(.runCalculation(calculationID: DomainFixtures.calcA, type: .poleBaseMoment, inputs: DomainFixtures.poleInputs))
    return s
}

private func approve(_ id: UUID, revision: Int, license: PELicense? = DomainFixtures.license, reason: String? = "checked")
    -> ProjectCommand
{
    .approveCalculation(calculationID: id, revision: revision, approver: DomainFixtures.engineerID, license: license, reason: reason)
}

/// The commands that take a project from draft to `status` (archived: from draft).
private func path(to status: ProjectStatus) -> [ProjectCommand] {
    let chain: [(ProjectStatus, String?)] = [
        (.estimating, nil), (.submitted, nil), (.approved, "all calculations approved"), (.inFabrication, nil), (.completed, nil),
    ]
    if status == .draft { return [] }
    if status == .archived { return [.changeStatus(to: .archived, reason: "shelved")] }
    let n = chain.firstIndex { $0.0 == status }! + 1
    return chain.prefix(n).map { .changeStatus(to: $0.0, reason: $0.1) }
}

// MARK: - Create

@Suite struct ProjectCreateTests {
    @Test func createRecordsTheFields() throws {
        let fields = ProjectFields(
            name: "Pole sign", description: "Lit, double-sided", clientID: DomainFixtures.clientID, tags: ["north", "lit", "north"],
            site: Site(address: "1 Main St", city: "Dallas", state: "TX"))
        let drafts = try ProjectScenario().decide(.create(projectID: DomainFixtures.projectID, fields: fields))
        #expect(drafts.count == 1)
        #expect(drafts.first?.type == "project.created")
        #expect(drafts.first?.schemaVersion == 1)
        #expect(drafts.first?.reason == nil)
        #expect(
            drafts.first?.data == [
                "project_id": "C0000000-0000-4000-8000-000000000001",
                "fields": [
                    "name": "Pole sign", "description": "Lit, double-sided", "client_id": "B0000000-0000-4000-8000-000000000003",
                    "tags": ["lit", "north"], "site": ["address": "1 Main St", "city": "Dallas", "state": "TX"],
                ],
            ])
    }

    @Test func createdStateIsADraftAtVersionOne() throws {
        let s = try ProjectScenario.created(DomainFixtures.fields(name: "Monument", tags: ["b", "a"]))
        let state = s.state
        #expect(state.exists)
        #expect(state.id == DomainFixtures.projectID)
        #expect(state.accountID == DomainFixtures.accountID)
        #expect(state.status == .draft)
        #expect(state.version == 1)
        #expect(!state.deleted)
        #expect(state.fields.name == "Monument")
        #expect(state.fields.tags == ["a", "b"])
        #expect(state.createdAt == DomainFixtures.now)
        #expect(state.createdBy == DomainFixtures.ownerID)
        #expect(state.updatedAt == DomainFixtures.now)
        #expect(state.calculations.isEmpty)
    }

    @Test func createTwiceIsRefused() throws {
        let s = try ProjectScenario.created()
        let error = s.refusal(.create(projectID: DomainFixtures.projectID, fields: DomainFixtures.fields()))
        #expect(error == DomainError(.alreadyExists, "project \(projectText) exists already"))
    }

    @Test(arguments: everyCommand + [.init(name: "restore", command: .restore(reason: "r"))])
    func nothingButCreateBeforeTheProjectExists(_ c: NamedCommand) {
        #expect(ProjectScenario().refusal(c.command) == DomainError(.notFound, "the project does not exist"))
    }

    struct InvalidFields: Sendable, CustomTestStringConvertible {
        var label: String
        var fields: ProjectFields
        var message: String
        var field: String
        var testDescription: String { label }
    }

    static let invalid: [InvalidFields] = [
        .init(label: "empty name", fields: DomainFixtures.fields(name: ""), message: "name must not be empty", field: "name"),
        .init(label: "blank name", fields: DomainFixtures.fields(name: " \n\t "), message: "name must not be empty", field: "name"),
        .init(
            label: "201-character name", fields: DomainFixtures.fields(name: String(repeating: "n", count: 201)),
            message: "name must be at most 200 characters (it has 201)", field: "name"),
        .init(
            label: "long description", fields: DomainFixtures.fields(description: String(repeating: "d", count: 10_001)),
            message: "description must be at most 10000 characters", field: "description"),
        .init(
            label: "51 tags", fields: DomainFixtures.fields(tags: (1...51).map { "t\($0)" }), message: "at most 50 tags are allowed",
            field: "tags"),
        .init(label: "empty tag", fields: DomainFixtures.fields(tags: ["ok", ""]), message: "each tag must be 1-40 characters ('' is not)", field: "tags"),
        .init(
            label: "41-character tag", fields: DomainFixtures.fields(tags: [String(repeating: "x", count: 41)]),
            message: "each tag must be 1-40 characters ('\(String(repeating: "x", count: 40))' is not)", field: "tags"),
        .init(
            label: "long city", fields: DomainFixtures.fields(site: Site(city: String(repeating: "c", count: 201))),
            message: "site.city must be at most 200 characters", field: "site.city"),
        .init(
            label: "long address", fields: DomainFixtures.fields(site: Site(address: String(repeating: "a", count: 201))),
            message: "site.address must be at most 200 characters", field: "site.address"),
    ]

    @Test(arguments: invalid)
    func createValidatesFields(_ c: InvalidFields) {
        let error = ProjectScenario().refusal(.create(projectID: DomainFixtures.projectID, fields: c.fields))
        #expect(error == DomainError(.invalidInput, c.message, field: c.field))
    }

    @Test func boundsAreInclusive() throws {
        let fields = ProjectFields(
            name: String(repeating: "n", count: 200), description: String(repeating: "d", count: 10_000),
            tags: (1...49).map { "tag-\($0)" } + [String(repeating: "x", count: 40)],
            site: Site(address: String(repeating: "a", count: 200)))
        #expect(throws: Never.self) { try fields.validate() }
        let s = try ProjectScenario.created(fields)
        #expect(s.state.fields.tags.count == 50)
    }
}

// MARK: - Update

@Suite struct ProjectUpdateTests {
    private static let fullSite = Site(address: "1 Main St", city: "Dallas", state: "TX", country: "US")

    private func project() throws -> ProjectScenario {
        try ProjectScenario.created(
            ProjectFields(name: "Pole sign", description: "Lit", clientID: DomainFixtures.clientID, tags: ["north"], site: Self.fullSite))
    }

    @Test func updateRecordsOnlyWhatChanged() throws {
        var s = try project()
        let events = try s.run(.update(changes: ["name": "Monument sign", "description": "Lit"]))
        #expect(events.map(\.type) == ["project.updated"])
        #expect(events.first?.data == ["changes": ["name": "Monument sign"]])
        #expect(events.first?.version == 2)
        #expect(s.state.fields.name == "Monument sign")
        #expect(s.state.fields.description == "Lit")
        #expect(s.state.version == 2)
    }

    @Test func nullClearsClientAndSite() throws {
        var s = try project()
        let events = try s.run(.update(changes: ["client_id": nil, "site": nil]))
        #expect(events.first?.data == ["changes": ["client_id": nil, "site": nil]])
        #expect(s.state.fields.clientID == nil)
        #expect(s.state.fields.site == nil)
        #expect(s.state.fields.name == "Pole sign")
    }

    @Test func nullDescriptionAndTagsBecomeEmpty() throws {
        var s = try project()
        let events = try s.run(.update(changes: ["description": nil, "tags": nil]))
        #expect(events.first?.data == ["changes": ["description": "", "tags": []]])
        #expect(s.state.fields.description == "")
        #expect(s.state.fields.tags == [])
    }

    @Test func clientIDIsSetFromText() throws {
        var s = try ProjectScenario.created()
        let events = try s.run(.update(changes: ["client_id": "B0000000-0000-4000-8000-000000000003"]))
        #expect(events.first?.data == ["changes": ["client_id": "b0000000-0000-4000-8000-000000000003"]])
        #expect(s.state.fields.clientID == DomainFixtures.clientID)
    }

    @Test func tagsAreKeptSortedAndUnique() throws {
        var s = try project()
        let events = try s.run(.update(changes: ["tags": ["south", "lit", "south"]]))
        #expect(events.first?.data == ["changes": ["tags": ["lit", "south"]]])
        #expect(s.state.fields.tags == ["lit", "south"])
        #expect(try s.decide(.update(changes: ["tags": ["south", "lit"]])).isEmpty)
    }

    /// RFC 7396: a nested object merges member by member; `null` removes a member.
    @Test func siteMergesMemberByMember() throws {
        var s = try project()
        let events = try s.run(.update(changes: ["site": ["city": "Austin", "country": nil]]))
        #expect(s.state.fields.site == Site(address: "1 Main St", city: "Austin", state: "TX", country: nil))
        #expect(events.first?.data == ["changes": ["site": ["address": "1 Main St", "city": "Austin", "state": "TX", "country": nil]]])
        // The recorded change replays to the same fields from scratch.
        #expect(try ProjectState.replay(s.events).fields == s.state.fields)
    }

    @Test func siteOnAProjectWithoutOne() throws {
        var s = try ProjectScenario.created()
        try s.run(.update(changes: ["site": ["city": "Austin"]]))
        #expect(s.state.fields.site == Site(city: "Austin"))
    }

    @Test func unknownSiteMemberIsRejected() throws {
        let s = try project()
        #expect(
            s.refusal(.update(changes: ["site": ["zip": "75001"]]))
                == DomainError(.invalidInput, "'site.zip' is not a site field (site fields: address, city, country, state)", field: "site.zip"))
    }

    @Test func samePatchTwiceGivesNoSecondEvent() throws {
        var s = try project()
        try s.run(.update(changes: ["name": "Monument sign"]))
        #expect(try s.decide(.update(changes: ["name": "Monument sign"])).isEmpty)
        #expect(try s.decide(.update(changes: ["name": "Monument sign", "client_id": "b0000000-0000-4000-8000-000000000003"])).isEmpty)
        #expect(try s.decide(.update(changes: ["site": ["city": "Dallas"]])).isEmpty)
        #expect(try s.run(.update(changes: ["tags": ["north"]])).isEmpty)
        #expect(s.state.version == 2)
    }

    @Test func emptyPatchIsRefused() throws {
        #expect(try project().refusal(.update(changes: [:])) == DomainError(.invalidInput, "the patch changes nothing"))
    }

    @Test(arguments: ["status", "id", "deleted", "calculations", "Name", "site.city"])
    func unknownFieldIsRejected(_ key: String) throws {
        let error = try project().refusal(.update(changes: [key: "x"]))
        #expect(
            error
                == DomainError(
                    .invalidInput, "'\(key)' is not an editable field (editable: client_id, description, name, site, tags)", field: key))
    }

    @Test func wrongTypesNameTheField() throws {
        let s = try project()
        #expect(s.refusal(.update(changes: ["name": 5])) == DomainError(.invalidInput, "expected a value of type String", field: "name"))
        #expect(
            s.refusal(.update(changes: ["name": nil])) == DomainError(.invalidInput, "a value of type String is required", field: "name"))
        #expect(s.refusal(.update(changes: ["tags": "north"]))?.field == "tags")
        #expect(s.refusal(.update(changes: ["tags": ["ok", 3]]))?.field == "tags.1")
        #expect(s.refusal(.update(changes: ["client_id": "not-a-uuid"]))?.field == "client_id")
        #expect(s.refusal(.update(changes: ["site": "Dallas"]))?.field == "site")
        #expect(s.refusal(.update(changes: ["site": ["city": 7]]))?.field == "site.city")
    }

    @Test func mergedFieldsAreValidated() throws {
        let s = try project()
        #expect(s.refusal(.update(changes: ["name": " "])) == DomainError(.invalidInput, "name must not be empty", field: "name"))
        #expect(s.refusal(.update(changes: ["tags": [""]]))?.field == "tags")
        #expect(
            s.refusal(.update(changes: ["site": ["state": .string(String(repeating: "s", count: 201))]]))
                == DomainError(.invalidInput, "site.state must be at most 200 characters", field: "site.state"))
    }

    @Test func updateIsAllowedInEveryLiveStatus() throws {
        for status in ProjectStatus.allCases where status != .archived {
            var s = try ProjectScenario.created()
            try s.run(path(to: status))
            #expect(try s.run(.update(changes: ["description": .string("in \(status.rawValue)")])).count == 1)
            #expect(s.state.status == status)
        }
    }
}

// MARK: - Status lifecycle

@Suite struct ProjectStatusTests {
    /// The lifecycle of the design brief, written out.
    static let allowed: [ProjectStatus: [ProjectStatus]] = [
        .draft: [.estimating, .archived],
        .estimating: [.submitted, .archived],
        .submitted: [.approved, .estimating, .archived],
        .approved: [.inFabrication, .estimating, .archived],
        .inFabrication: [.completed, .archived],
        .completed: [.archived],
    ]

    @Test(arguments: [ProjectStatus.draft, .estimating, .submitted, .approved, .inFabrication, .completed], ProjectStatus.allCases)
    func transition(from: ProjectStatus, to: ProjectStatus) throws {
        var s = try ProjectScenario.created()
        try s.run(path(to: from))
        #expect(s.state.status == from)
        let command = ProjectCommand.changeStatus(to: to, reason: "because")
        if Self.allowed[from]!.contains(to) {
            let drafts = try s.decide(command)
            #expect(
                drafts == [
                    DraftEvent(type: "project.status_changed", schemaVersion: 1, data: ["from": .string(from.rawValue), "to": .string(to.rawValue)], reason: "because")
                ])
            try s.run(command)
            #expect(s.state.status == to)
        } else {
            let names = Self.allowed[from]!.map(\.rawValue).sorted().joined(separator: ", ")
            #expect(
                s.refusal(command)
                    == DomainError(.invalidTransition, "a \(from.rawValue) project cannot move to \(to.rawValue) (allowed: \(names))", field: "status"))
        }
    }

    @Test func refusalListsWhatIsAllowed() throws {
        let s = try ProjectScenario.created()
        #expect(
            s.refusal(.changeStatus(to: .approved, reason: "r"))
                == DomainError(.invalidTransition, "a draft project cannot move to approved (allowed: archived, estimating)", field: "status"))
    }

    @Test func fullLifecycleRecordsEachStep() throws {
        var s = try ProjectScenario.created()
        try s.run(path(to: .completed))
        #expect(s.state.status == .completed)
        #expect(s.state.version == 6)
        #expect(s.events.map(\.data) == [
            s.events[0].data,
            ["from": "draft", "to": "estimating"], ["from": "estimating", "to": "submitted"], ["from": "submitted", "to": "approved"],
            ["from": "approved", "to": "in_fabrication"], ["from": "in_fabrication", "to": "completed"],
        ])
        #expect(s.events.map(\.reason) == [nil, nil, nil, "all calculations approved", nil, nil])
    }

    @Test func sentBackFromSubmitted() throws {
        var s = try ProjectScenario.created()
        try s.run(path(to: .submitted))
        try s.run(.changeStatus(to: .estimating, reason: nil))
        #expect(s.state.status == .estimating)
        try s.run(.changeStatus(to: .submitted, reason: nil))
        #expect(s.state.status == .submitted)
    }

    @Test func reasonIsKeptWhenGivenForAnyStep() throws {
        let s = try ProjectScenario.created()
        #expect(try s.decide(.changeStatus(to: .estimating, reason: "client call")).first?.reason == "client call")
        #expect(try s.decide(.changeStatus(to: .estimating, reason: nil)).first?.reason == nil)
    }

    // MARK: Approval needs approved calculations

    @Test func approvedNeedsEveryLatestRevisionApproved() throws {
        var s = try projectWithCalculation()
        try s.run(.runCalculation(calculationID: DomainFixtures.calcB, type: .poleBaseMoment, inputs: DomainFixtures.poleInputs))
        try s.run(approve(DomainFixtures.calcA, revision: 1))
        try s.run(path(to: .submitted))
        let toApproved = ProjectCommand.changeStatus(to: .approved, reason: "ready")
        #expect(
            s.refusal(toApproved)
                == DomainError(.approvalMissing, "every calculation's latest revision must be approved by a PE first; not approved: \(calcBText)"))

        // A new revision of A is not covered by A's earlier approval.
        try s.run(.reviseCalculation(calculationID: DomainFixtures.calcA, inputs: ["F": 3000, "y": 15, "Fb": 30]))
        #expect(
            s.refusal(toApproved)
                == DomainError(
                    .approvalMissing, "every calculation's latest revision must be approved by a PE first; not approved: \(calcAText), \(calcBText)"))

        try s.run(approve(DomainFixtures.calcA, revision: 2))
        try s.run(approve(DomainFixtures.calcB, revision: 1))
        try s.run(toApproved)
        #expect(s.state.status == .approved)
    }

    @Test func approvedWithoutCalculationsIsAllowed() throws {
        var s = try ProjectScenario.created()
        try s.run(path(to: .approved))
        #expect(s.state.status == .approved)
    }

    @Test func approvalCheckComesAfterTheReason() throws {
        var s = try projectWithCalculation()
        try s.run(path(to: .submitted))
        #expect(s.refusal(.changeStatus(to: .approved, reason: nil))?.code == .reasonRequired)
    }
}

// MARK: - Reasons

@Suite struct ProjectReasonTests {
    struct ReasonCase: Sendable, CustomTestStringConvertible {
        var label: String
        var setUp: [ProjectCommand]
        var command: @Sendable (String?) -> ProjectCommand
        var message: String
        var testDescription: String { label }
    }

    static let cases: [ReasonCase] = [
        .init(label: "approved", setUp: path(to: .submitted), command: { .changeStatus(to: .approved, reason: $0) }, message: "moving a project to approved needs a reason"),
        .init(label: "archived", setUp: [], command: { .changeStatus(to: .archived, reason: $0) }, message: "moving a project to archived needs a reason"),
        .init(
            label: "unarchive", setUp: [.changeStatus(to: .archived, reason: "shelved")], command: { .changeStatus(to: .draft, reason: $0) },
            message: "restoring an archived project needs a reason"),
        .init(label: "delete", setUp: [], command: { .delete(reason: $0) }, message: "deleting a project needs a reason"),
        .init(label: "restore", setUp: [.delete(reason: "duplicate")], command: { .restore(reason: $0) }, message: "restoring a project needs a reason"),
        .init(
            label: "revert", setUp: [.update(changes: ["name": "Other"])],
            command: { .revert(toVersion: 1, fieldsThen: DomainFixtures.fields(), reason: $0) }, message: "a revert needs a reason"),
        .init(
            label: "approval",
            setUp: [.runCalculation(calculationID: DomainFixtures.calcA, type: .poleBaseMoment, inputs: DomainFixtures.poleInputs)],
            command: { approve(DomainFixtures.calcA, revision: 1, reason: $0) }, message: "an approval needs a reason"),
    ]

    @Test(arguments: cases)
    func reasonIsRequired(_ c: ReasonCase) throws {
        var s = try ProjectScenario.created()
        try s.run(c.setUp)
        for missing in [nil, "", "   ", "\n\t "] as [String?] {
            #expect(s.refusal(c.command(missing)) == DomainError(.reasonRequired, c.message, field: "reason"), "reason \(String(describing: missing))")
        }
        #expect(
            s.refusal(c.command(String(repeating: "r", count: 2001)))
                == DomainError(.invalidInput, "reason must be at most 2000 characters", field: "reason"))
        let longest = String(repeating: "r", count: 2000)
        #expect(try s.decide(c.command(longest)).first?.reason == longest)
        let events = try s.run(c.command(" why \n"))
        #expect(events.count == 1)
        #expect(events.first?.reason == " why \n")
    }
}

// MARK: - Archive and delete

@Suite struct ProjectArchiveTests {
    @Test(arguments: editingCommands)
    func archivedProjectIsReadOnly(_ c: NamedCommand) throws {
        var s = try projectWithCalculation()
        try s.run(.changeStatus(to: .archived, reason: "shelved"))
        #expect(s.refusal(c.command) == DomainError(.readOnly, "the project is archived and read-only until it is restored"))
    }

    @Test(arguments: [ProjectStatus.draft, .estimating, .submitted, .approved, .inFabrication, .completed])
    func archivedReturnsOnlyToItsPreviousStatus(_ previous: ProjectStatus) throws {
        var s = try ProjectScenario.created()
        try s.run(path(to: previous))
        let archived = try s.run(.changeStatus(to: .archived, reason: "shelved"))
        #expect(archived.first?.data == ["from": .string(previous.rawValue), "to": "archived"])
        #expect(s.state.status == .archived)
        #expect(s.state.statusBeforeArchive == previous)

        for other in ProjectStatus.allCases where other != previous {
            #expect(
                s.refusal(.changeStatus(to: other, reason: "back"))
                    == DomainError(
                        .invalidTransition, "an archived project can only be restored to the status it had (\(previous.rawValue))", field: "status"))
        }
        let back = try s.run(.changeStatus(to: previous, reason: "back to work"))
        #expect(back.first?.data == ["from": "archived", "to": .string(previous.rawValue)])
        #expect(back.first?.reason == "back to work")
        #expect(s.state.status == previous)
        #expect(s.state.statusBeforeArchive == nil)
    }

    @Test func unarchivedProjectIsWritableAgain() throws {
        var s = try projectWithCalculation()
        try s.run(.changeStatus(to: .archived, reason: "shelved"))
        try s.run(.changeStatus(to: .draft, reason: "back"))
        for c in editingCommands { #expect(throws: Never.self) { try s.decide(c.command) } }
    }

    @Test func archivingTwiceRemembersTheLatestStatus() throws {
        var s = try ProjectScenario.created()
        try s.run(.changeStatus(to: .archived, reason: "shelved"))
        try s.run(.changeStatus(to: .draft, reason: "back"))
        try s.run(.changeStatus(to: .estimating, reason: nil))
        try s.run(.changeStatus(to: .archived, reason: "shelved again"))
        #expect(s.state.statusBeforeArchive == .estimating)
        #expect(
            s.refusal(.changeStatus(to: .draft, reason: "back"))
                == DomainError(.invalidTransition, "an archived project can only be restored to the status it had (estimating)", field: "status"))
    }
}

@Suite struct ProjectDeleteTests {
    @Test func deleteIsASoftDeleteWithAReason() throws {
        var s = try ProjectScenario.created()
        let events = try s.run(.delete(reason: "duplicate"))
        #expect(events.map(\.type) == ["project.deleted"])
        #expect(events.first?.data == [:])
        #expect(events.first?.reason == "duplicate")
        #expect(s.state.deleted)
        #expect(s.state.exists)
        #expect(s.state.fields.name == "Pole sign")
    }

    @Test(arguments: everyCommand)
    func deletedProjectRefusesChanges(_ c: NamedCommand) throws {
        var s = try projectWithCalculation()
        try s.run(.delete(reason: "duplicate"))
        #expect(s.refusal(c.command) == DomainError(.deleted, "the project is deleted; restore it first"))
    }

    @Test func restoreBringsItBack() throws {
        var s = try projectWithCalculation()
        try s.run(.delete(reason: "duplicate"))
        let events = try s.run(.restore(reason: "not a duplicate"))
        #expect(events.map(\.type) == ["project.restored"])
        #expect(events.first?.data == [:])
        #expect(events.first?.reason == "not a duplicate")
        #expect(!s.state.deleted)
        for c in everyCommand { #expect(throws: Never.self) { try s.decide(c.command) } }
    }

    @Test func restoringALiveProjectIsRefused() throws {
        let s = try ProjectScenario.created()
        #expect(s.refusal(.restore(reason: "r")) == DomainError(.invalidTransition, "the project is not deleted"))
    }

    @Test func deletedKeepsItsStatus() throws {
        var s = try ProjectScenario.created()
        try s.run(path(to: .submitted))
        try s.run(.delete(reason: "gone"))
        try s.run(.restore(reason: "back"))
        #expect(s.state.status == .submitted)
    }
}

// MARK: - Revert

@Suite struct ProjectRevertTests {
    /// v1 created, v2 renamed and tagged, v3 estimating, v4 calculation, v5 described, v6 client set.
    private func history() throws -> ProjectScenario {
        var s = try ProjectScenario.created(DomainFixtures.fields(name: "Pole sign", site: Site(city: "Dallas")))
        try s.run([
            .update(changes: ["name": "Monument sign", "tags": ["lit"]]),
            .changeStatus(to: .estimating, reason: nil),
            .runCalculation(calculationID: DomainFixtures.calcA, type: .poleBaseMoment, inputs: DomainFixtures.poleInputs),
            .update(changes: ["description": "Double-sided", "site": ["city": "Austin"]]),
            .update(changes: ["client_id": "b0000000-0000-4000-8000-000000000003"]),
        ])
        #expect(s.state.version == 6)
        return s
    }

    @Test func revertRestoresDescriptiveFieldsOnly() throws {
        var s = try history()
        let then = try ProjectHistory(events: s.events).state(atVersion: 1).fields
        #expect(then == DomainFixtures.fields(name: "Pole sign", site: Site(city: "Dallas")))
        let events = try s.run(.revert(toVersion: 1, fieldsThen: then, reason: "client changed their mind"))
        #expect(events.map(\.type) == ["project.reverted"])
        #expect(events.first?.data == ["to_version": 1, "fields": ["name": "Pole sign", "description": "", "tags": [], "site": ["city": "Dallas"]]])
        #expect(events.first?.reason == "client changed their mind")
        #expect(s.state.fields == then)
        #expect(s.state.status == .estimating)
        #expect(s.state.calculations.keys.sorted { $0.uuidString < $1.uuidString } == [DomainFixtures.calcA])
        #expect(s.state.version == 7)
    }

    @Test func revertToAMiddleVersion() throws {
        var s = try history()
        let then = try ProjectHistory(events: s.events).state(atVersion: 4).fields
        try s.run(.revert(toVersion: 4, fieldsThen: then, reason: "undo the last edits"))
        #expect(s.state.fields == ProjectFields(name: "Monument sign", tags: ["lit"], site: Site(city: "Dallas")))
    }

    @Test func revertKeepsApprovals() throws {
        var s = try history()
        try s.run(approve(DomainFixtures.calcA, revision: 1))
        try s.run(.revert(toVersion: 1, fieldsThen: DomainFixtures.fields(name: "Pole sign"), reason: "undo"))
        #expect(s.state.calculations[DomainFixtures.calcA]?.latestApproval?.revision == 1)
    }

    @Test(arguments: [Int64(0), -1, 7, 100])
    func versionMustBeInTheStream(_ version: Int64) throws {
        let s = try history()
        #expect(
            s.refusal(.revert(toVersion: version, fieldsThen: DomainFixtures.fields(), reason: "r"))
                == DomainError(.invalidInput, "to_version must be between 1 and 6", field: "to_version"))
    }

    @Test func latestVersionIsAllowed() throws {
        let s = try history()
        #expect(throws: Never.self) { try s.decide(.revert(toVersion: 6, fieldsThen: s.state.fields, reason: "r")) }
    }
}

// MARK: - Calculations

@Suite struct CalculationCommandTests {
    @Test func runCreatesRevisionOne() throws {
        var s = try ProjectScenario.created()
        let events = try s.run(.runCalculation(calculationID: DomainFixtures.calcA, type: .poleBaseMoment, inputs: DomainFixtures.poleInputs))
        #expect(events.map(\.type) == ["calculation.run"])
        let data = try #require(events.first?.data)
        #expect(data["calculation_id"] == "D0000000-0000-4000-8000-00000000000A")
        #expect(data["revision"] == 1)
        #expect(data["result"]?["type"] == "pole_base_moment")
        #expect(data["result"]?["inputs"] == ["F": 2000, "y": 15, "Fb": 30])
        #expect(data["result"]?["outputs"] == ["M": 30000, "S": 12])
        #expect(data["result"]?["engine_version"] == "1.0.0")
        #expect(data["result"]?["result_hash"]?.stringValue?.count == 64)
        #expect(events.first?.reason == nil)

        let record = try #require(s.state.calculations[DomainFixtures.calcA])
        #expect(record.id == DomainFixtures.calcA)
        #expect(record.latestRevision == 1)
        #expect(record.latest.outputs == ["M": 30000, "S": 12])
        #expect(record.approvals.isEmpty)
        #expect(record.latestApproval == nil)
    }

    @Test func runningAnExistingCalculationIsRefused() throws {
        let s = try projectWithCalculation()
        #expect(
            s.refusal(.runCalculation(calculationID: DomainFixtures.calcA, type: .windVelocityPressure, inputs: ["V": 115, "exposure": "C", "z": 15]))
                == DomainError(.alreadyExists, "calculation \(calcAText) exists already"))
    }

    @Test func invalidInputsAreRefusedWithTheField() throws {
        let s = try ProjectScenario.created()
        let error = s.refusal(.runCalculation(calculationID: DomainFixtures.calcA, type: .poleBaseMoment, inputs: ["F": -1, "y": 15, "Fb": 30]))
        #expect(error?.code == .invalidInput)
        #expect(error?.field == "inputs.F")
    }

    @Test func reviseAddsTheNextRevision() throws {
        var s = try projectWithCalculation()
        let events = try s.run(.reviseCalculation(calculationID: DomainFixtures.calcA, inputs: ["F": 3000, "y": 15, "Fb": 30]))
        #expect(events.first?.type == "calculation.run")
        #expect(events.first?.data["revision"] == 2)
        #expect(events.first?.data["result"]?["outputs"] == ["M": 45000, "S": 18])
        let record = try #require(s.state.calculations[DomainFixtures.calcA])
        #expect(record.latestRevision == 2)
        #expect(record.revisions.map { $0.outputs["M"] } == [30000, 45000])
        #expect(record.revisions[0].resultHash != record.revisions[1].resultHash)
        try s.run(.reviseCalculation(calculationID: DomainFixtures.calcA, inputs: ["F": 1000, "y": 15, "Fb": 30]))
        #expect(s.state.calculations[DomainFixtures.calcA]?.latestRevision == 3)
    }

    @Test func reviseKeepsTheCalculationType() throws {
        let s = try projectWithCalculation()
        let error = s.refusal(.reviseCalculation(calculationID: DomainFixtures.calcA, inputs: ["V": 115, "exposure": "C", "z": 15]))
        #expect(error?.code == .invalidInput)
        #expect(error?.field?.hasPrefix("inputs.") == true)
    }

    @Test func unknownCalculationIsNotFound() throws {
        let s = try projectWithCalculation()
        let missing = DomainError(.notFound, "calculation \(calcBText) does not exist")
        #expect(s.refusal(.reviseCalculation(calculationID: DomainFixtures.calcB, inputs: DomainFixtures.poleInputs)) == missing)
        #expect(s.refusal(approve(DomainFixtures.calcB, revision: 1)) == missing)
    }

    @Test func approvalRecordsRevisionHashApproverAndLicense() throws {
        var s = try projectWithCalculation()
        let hash = try #require(s.state.calculations[DomainFixtures.calcA]?.latest.resultHash)
        let events = try s.run(approve(DomainFixtures.calcA, revision: 1, reason: "checked by hand"))
        #expect(events.map(\.type) == ["calculation.approved"])
        #expect(
            events.first?.data == [
                "calculation_id": "D0000000-0000-4000-8000-00000000000A", "revision": 1, "result_hash": .string(hash),
                "approved_by": "B0000000-0000-4000-8000-000000000002",
                "pe_license": ["number": "PE-12345", "state": "TX", "expires_on": "2027-06-30"],
            ])
        #expect(events.first?.reason == "checked by hand")
        let approval = try #require(s.state.calculations[DomainFixtures.calcA]?.latestApproval)
        #expect(approval.revision == 1)
        #expect(approval.resultHash == hash)
        #expect(approval.approvedBy == DomainFixtures.engineerID)
        #expect(approval.peLicense == DomainFixtures.license)
    }

    @Test func approvingAStaleRevisionIsRefused() throws {
        var s = try projectWithCalculation()
        try s.run(.reviseCalculation(calculationID: DomainFixtures.calcA, inputs: ["F": 3000, "y": 15, "Fb": 30]))
        #expect(
            s.refusal(approve(DomainFixtures.calcA, revision: 1))
                == DomainError(.staleRevision, "revision 1 is not the latest (2); approve the latest revision", field: "revision"))
        #expect(s.refusal(approve(DomainFixtures.calcA, revision: 3))?.code == .staleRevision)
        #expect(s.refusal(approve(DomainFixtures.calcA, revision: 0))?.code == .staleRevision)
    }

    @Test func approvalCoversOneRevisionNeverLaterOnes() throws {
        var s = try projectWithCalculation()
        try s.run(approve(DomainFixtures.calcA, revision: 1))
        try s.run(.reviseCalculation(calculationID: DomainFixtures.calcA, inputs: ["F": 3000, "y": 15, "Fb": 30]))
        let record = try #require(s.state.calculations[DomainFixtures.calcA])
        #expect(record.latestApproval == nil)
        #expect(record.approvals.keys.sorted() == [1])
        #expect(record.approvals[1]?.resultHash == record.revisions[0].resultHash)
        try s.run(approve(DomainFixtures.calcA, revision: 2))
        #expect(s.state.calculations[DomainFixtures.calcA]?.latestApproval?.resultHash == s.state.calculations[DomainFixtures.calcA]?.revisions[1].resultHash)
    }

    @Test func approvalWithoutLicenseIsRefused() throws {
        let s = try projectWithCalculation()
        #expect(
            s.refusal(approve(DomainFixtures.calcA, revision: 1, license: nil))
                == DomainError(.peLicenseRequired, "approving a calculation needs a PE license"))
    }

    @Test func approvalWithExpiredLicenseSaysWhen() throws {
        let s = try projectWithCalculation()
        let expired = PELicense(number: "PE-12345", state: "TX", expiresOn: CivilDate(year: 2026, month: 1, day: 26))
        #expect(
            s.refusal(approve(DomainFixtures.calcA, revision: 1, license: expired))
                == DomainError(.peLicenseRequired, "PE license PE-12345 (TX) expired on 2026-01-26, before 2026-01-27"))
    }

    struct ExpiryCase: Sendable, CustomTestStringConvertible {
        var expires: String
        var now: String
        var valid: Bool
        var testDescription: String { "expires \(expires), decided \(now)" }
    }

    /// A license is valid through its expiry day (UTC), and not a microsecond after.
    @Test(arguments: [
        ExpiryCase(expires: "2026-01-27", now: "2026-01-27T00:00:00Z", valid: true),
        ExpiryCase(expires: "2026-01-27", now: "2026-01-27T23:59:59.999999Z", valid: true),
        ExpiryCase(expires: "2026-01-27", now: "2026-01-28T00:00:00Z", valid: false),
        ExpiryCase(expires: "2026-01-27", now: "2026-01-28T01:00:00+02:00", valid: true),
        ExpiryCase(expires: "2026-01-26", now: "2026-01-27T00:00:00Z", valid: false),
        ExpiryCase(expires: "2030-12-31", now: "2026-01-27T10:00:00Z", valid: true),
    ])
    func licenseExpiryAgainstTheDecisionDate(_ c: ExpiryCase) throws {
        let s = try projectWithCalculation()
        let license = PELicense(number: "9", state: "CA", expiresOn: try #require(CivilDate(c.expires)))
        let command = approve(DomainFixtures.calcA, revision: 1, license: license)
        let now = DomainFixtures.date(c.now)
        if c.valid {
            #expect(try s.decide(command, now: now).map(\.type) == ["calculation.approved"])
        } else {
            #expect(s.refusal(command, now: now)?.code == .peLicenseRequired)
        }
    }

    @Test func approvingTwiceIsRefused() throws {
        var s = try projectWithCalculation()
        try s.run(approve(DomainFixtures.calcA, revision: 1))
        #expect(s.refusal(approve(DomainFixtures.calcA, revision: 1)) == DomainError(.alreadyExists, "revision 1 is approved already"))
    }
}

// MARK: - Fold

@Suite struct ProjectStateTests {
    @Test func eventOutOfOrderIsRefused() throws {
        let s = try ProjectScenario.created()
        var state = s.state
        var event = s.events[0]
        event.version = 3
        #expect(throws: DomainError(.invalidInput, "event version 3 does not follow 1")) { try state.apply(event) }
        event.version = 1
        #expect(throws: DomainError(.invalidInput, "event version 1 does not follow 1")) { try state.apply(event) }
        #expect(state == s.state)
    }

    @Test func unknownEventTypeIsRefused() throws {
        var stamper = EventStamper(stream: .project(DomainFixtures.projectID))
        let event = stamper.stamp([DraftEvent(type: "project.exploded", schemaVersion: 1, data: [:], reason: nil)])[0]
        var state = ProjectState()
        #expect(throws: DomainError(.unknownEventType, "unknown project event type 'project.exploded'")) { try state.apply(event) }
        #expect(state.version == 0)
    }

    @Test func undecodablePayloadIsRefused() throws {
        var stamper = EventStamper(stream: .project(DomainFixtures.projectID))
        let event = stamper.stamp([DraftEvent(type: "project.created", schemaVersion: 1, data: ["project_id": 5], reason: nil)])[0]
        var state = ProjectState()
        let error = #expect(throws: DecodingError.self) { try state.apply(event) }
        if case .typeMismatch(_, let context)? = error {
            #expect(context.codingPath.map(\.stringValue) == ["project_id"])
        } else {
            Issue.record("not a type mismatch of project_id: \(String(describing: error))")
        }
        #expect(!state.exists)
    }

    @Test func updatedByFollowsTheActor() throws {
        var s = try ProjectScenario.created()
        s.stamper.actor = .user(DomainFixtures.engineerID)
        try s.run(.update(changes: ["description": "x"]))
        #expect(s.state.createdBy == DomainFixtures.ownerID)
        #expect(s.state.updatedBy == DomainFixtures.engineerID)
        #expect(s.state.createdAt == DomainFixtures.now)
        #expect(s.state.updatedAt == DomainFixtures.date("2026-01-27T10:01:00Z"))
        // A replay decodes only the last event's actor; it must agree with folding one by one.
        s.stamper.actor = .user(DomainFixtures.ownerID)
        try s.run(.update(changes: ["description": "y"]))
        s.stamper.actor = .user(DomainFixtures.engineerID)
        try s.run(.update(changes: ["description": "z"]))
        #expect(try ProjectState.replay(s.events) == s.state)
        #expect(try ProjectState.replay(s.events).updatedBy == DomainFixtures.engineerID)
        #expect(try ProjectState.replay(s.events.prefix(3)).updatedBy == DomainFixtures.ownerID)
        #expect(try ProjectState.replay(s.events.prefix(1)).createdBy == DomainFixtures.ownerID)
    }

    @Test func auditJSONShowsFieldsStatusAndCalculations() throws {
        var s = try ProjectScenario.created(
            ProjectFields(name: "Pole sign", clientID: DomainFixtures.clientID, tags: ["lit"], site: Site(city: "Dallas")))
        #expect(ProjectState().auditJSON == [:])
        try s.run(.runCalculation(calculationID: DomainFixtures.calcA, type: .poleBaseMoment, inputs: DomainFixtures.poleInputs))
        try s.run(approve(DomainFixtures.calcA, revision: 1))
        try s.run(.reviseCalculation(calculationID: DomainFixtures.calcA, inputs: ["F": 3000, "y": 15, "Fb": 30]))
        let hash = try #require(s.state.calculations[DomainFixtures.calcA]?.latest.resultHash)
        #expect(
            s.state.auditJSON == [
                "name": "Pole sign", "description": "", "client_id": "b0000000-0000-4000-8000-000000000003", "tags": ["lit"],
                "site": ["address": nil, "city": "Dallas", "state": nil, "country": nil],
                "status": "draft", "deleted": false,
                "calculations": [
                    calcAText: ["type": "pole_base_moment", "revision": 2, "result_hash": .string(hash), "approved_revision": 1]
                ],
            ])
    }

    @Test func stateCodableRoundTrip() throws {
        var s = try projectWithCalculation()
        try s.run(approve(DomainFixtures.calcA, revision: 1))
        try s.run(.changeStatus(to: .archived, reason: "shelved"))
        let value = try CanonicalJSON.value(of: s.state)
        #expect(try CanonicalJSON.decode(ProjectState.self, from: value) == s.state)
    }

    @Test func eventTypeNames() {
        #expect(ProjectCreated.type == "project.created")
        #expect(ProjectUpdated.type == "project.updated")
        #expect(ProjectStatusChanged.type == "project.status_changed")
        #expect(ProjectDeleted.type == "project.deleted")
        #expect(ProjectRestored.type == "project.restored")
        #expect(ProjectReverted.type == "project.reverted")
        #expect(CalculationRun.type == "calculation.run")
        #expect(CalculationApproved.type == "calculation.approved")
        #expect(ProjectCreated.schemaVersion == 1)
    }

    @Test func draftBecomesAProposedEvent() throws {
        let draft = try ProjectStatusChanged(from: .draft, to: .estimating).draft(reason: "go")
        let proposed = draft.proposed(
            id: DomainFixtures.uuid(9), accountID: DomainFixtures.accountID, actor: .user(DomainFixtures.ownerID),
            requestMetadata: RequestMetadata(requestID: "abc123"))
        #expect(proposed.type == "project.status_changed")
        #expect(proposed.data == ["from": "draft", "to": "estimating"])
        #expect(proposed.reason == "go")
        #expect(proposed.id == DomainFixtures.uuid(9))
        #expect(proposed.requestMetadata.requestID == "abc123")
        #expect(proposed == (try ProposedEvent(
            id: DomainFixtures.uuid(9), ProjectStatusChanged(from: .draft, to: .estimating), accountID: DomainFixtures.accountID,
            actor: .user(DomainFixtures.ownerID), requestMetadata: RequestMetadata(requestID: "abc123"), reason: "go")))
    }
}
