import ApexDomain
@testable import ApexSearch
import Foundation
import Testing

/// What a project's state becomes in the index.
@Suite struct SearchDocumentTests {
    static func event(_ type: String, _ version: Int64, _ data: JSONValue, account: UUID) -> EventEnvelope {
        EventEnvelope(
            position: version, stream: .project(UUID()), version: version, id: UUID(), type: type, schemaVersion: 1, data: data,
            accountID: account, actor: .service("test"), requestMetadata: .none, reason: nil, recordedAt: Date(), prevHash: "", hash: "")
    }

    @Test func aProjectGivesOneDocumentPerPartAndNoneOnceDeleted() throws {
        let account = UUID(), project = UUID(), calc = UUID()
        var state = ProjectState()
        let drafts = try ProjectDecider.decide(
            .create(projectID: project, fields: ProjectFields(name: "Austin Pylon", description: "Monument <sign>", tags: ["lit"], site: Site(city: "Austin"))),
            state: state, context: DecisionContext(now: Date()))
            + [try CalculationRun(calculationID: calc, revision: 1, result: CalculationEngine.run(.windVelocityPressure, inputs: ["V": 115, "exposure": "C", "z": 15])).draft()]
        for (i, draft) in drafts.enumerated() {
            try state.apply(Self.event(draft.type, Int64(i + 1), draft.data, account: account))
        }
        let documents = SearchDocument.documents(of: state)
        #expect(documents.map(\.kind) == [.project, .calculation])
        #expect(documents[0].name == "Austin Pylon" && documents[0].body == "Monument <sign>")
        #expect(documents[0].extra.contains("lit") && documents[0].extra.contains("Austin"))
        #expect(documents[1].name == "wind velocity pressure" && documents[1].title == "wind_velocity_pressure")
        #expect(documents[1].extra == "Austin Pylon" && documents[1].projectID == project && documents[1].accountID == account)
        state.deleted = true
        #expect(SearchDocument.documents(of: state).isEmpty)
    }

    @Test func snippetsAreEscapedAroundTheirMarks() {
        #expect(SnippetMarks.html("a <b> & \u{2}pyl\u{3}on's") == "a &lt;b&gt; &amp; <mark>pyl</mark>on&#39;s")
    }
}
