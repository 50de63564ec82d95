import ApexDomain
import ApexStore
import Foundation
import Testing

@Suite("Conformance: projection pages")
struct ConformanceProjectionPageTests {
    @Test(arguments: StoreKind.allCases)
    func pagesHoldEveryDocumentOnceInKeyOrderAndCatchUp(kind: StoreKind) async throws {
        // Opened without the projection: the first page read folds what the read model missed.
        try await Fixtures.withStore(kind) { f in
            let writer = ProjectWriter(store: f.store)
            let ids = (0..<7).map { _ in UUID() }
            for (i, id) in ids.enumerated() { try await writer.run(id, .create(projectID: id, fields: ProjectFields(name: "Sign \(i)"))) }
            let elsewhere = UUID()
            try await writer.run(elsewhere, .create(projectID: elsewhere, fields: ProjectFields(name: "Elsewhere")), account: UUID())
            let partition = Events.account.lowercased
            let whole = try await f.store.projectionDocuments(ProjectListProjection(), partition: partition)

            var pages: [[ProjectionDocument]] = []
            var after: String?
            repeat {
                let page = try await f.store.projectionDocuments(ProjectListProjection(), partition: partition, after: after, limit: 3)
                pages.append(page)
                after = page.last?.key
            } while pages.last?.count == 3
            #expect(pages.map(\.count) == [3, 3, 1])
            let keys = pages.flatMap { $0.map(\.key) }
            #expect(keys == keys.sorted() || kind == .postgres, "bytewise order on SQLite and in memory")
            #expect(Set(keys) == Set(ids.map(\.lowercased)) && keys.count == 7, "each of the account's documents once, no other account's")
            for document in pages.flatMap({ $0 }) { #expect(whole[document.key] == document.document) }
            #expect(try await f.store.projectionDocuments(ProjectListProjection(), partition: partition, after: keys.last, limit: 3).isEmpty)
            #expect(try await f.store.projectionDocuments(ProjectListProjection(), partition: partition, after: nil, limit: 0).isEmpty)
        }
    }
}
