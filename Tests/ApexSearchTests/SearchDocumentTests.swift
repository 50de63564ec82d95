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

    /// An edit rewrites the documents that differ from those of the version the index holds:
    /// one pass over the two lists in their order, which must agree with a comparison by key.
    @Test func anEditRewritesOnlyTheDocumentsThatDiffer() {
        let project = UUID(), account = UUID()
        func document(_ kind: SearchKind, _ id: UUID, body: String = "") -> SearchDocument {
            SearchDocument(
                kind: kind, itemID: id, projectID: project, accountID: account, status: .draft, clientID: nil, tags: [], projectName: "P",
                title: kind.rawValue, name: kind.rawValue, body: body, extra: "")
        }
        let calculations = (0..<40).map { _ in UUID() }.sorted(by: UUID.ordered), files = (0..<5).map { _ in UUID() }.sorted(by: UUID.ordered)
        let old = [document(.project, project, body: "old")] + calculations.dropLast().map { document(.calculation, $0) } + files.map { document(.file, $0) }
        // The project's description changed, the first calculation is gone, the last is new, one file changed.
        let new = [document(.project, project, body: "new")] + calculations.dropFirst().map { document(.calculation, $0) }
            + files.enumerated().map { $0.offset == 2 ? document(.file, $0.element, body: "renamed") : document(.file, $0.element) }
        #expect(SearchDocument.isInOrder(old) && SearchDocument.isInOrder(new))
        let indexed = IndexedProject(projectID: project, version: 8, documents: new, previous: (7, old))
        let changes = try! #require(indexed.changes(over: 7))
        let byKey = Dictionary(uniqueKeysWithValues: old.map { ($0.key, $0) })
        let expectedInserted = new.filter { byKey[$0.key] != $0 }
        let expectedDeleted = Set(old.map(\.key)).subtracting(new.map(\.key)).union(expectedInserted.map(\.key).filter { byKey[$0] != nil })
        #expect(changes.inserted == expectedInserted)
        #expect(changes.inserted.map(\.key) == ["project:\(project.lowercased)", "calculation:\(calculations.last!.lowercased)", "file:\(files[2].lowercased)"])
        #expect(Set(changes.deleted) == expectedDeleted && changes.deleted.count == 3)
        #expect(indexed.changes(over: 6) == nil, "the index holds another version: everything is replaced")
        let shuffled = IndexedProject(projectID: project, version: 8, documents: new.reversed(), previous: (7, old))
        #expect(shuffled.changes(over: 7) == nil, "lists out of order are replaced whole, never merged wrongly")
    }

    @Test func snippetsAreEscapedAroundTheirMarks() {
        #expect(SnippetMarks.html("a <b> & \u{2}pyl\u{3}on's") == "a &lt;b&gt; &amp; <mark>pyl</mark>on&#39;s")
    }
}
