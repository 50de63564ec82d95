import ApexDomain
import ApexServer
import ApexStore
import Foundation
import HTTPTypes
import Testing

/// Files in search: found by name and description in their project, hidden as their project
/// is, gone once deleted.
@Suite struct SearchFileTests {
    @Test(arguments: StoreKind.allCases)
    func filesAreFoundByNameAsTheirProjectAllows(_ kind: StoreKind) async throws {
        try await World.withFiles(kind) { world in
            let owner = world.token("owner")
            try await world.test { client in
                let approved = world.project("approved"), draft = world.project("draft")
                let a = try await client.upload(approved, "%PDF-1.4 anchors", as: owner, filename: "anchor-bolt-plan.pdf", description: "Footing layout")
                let d = try await client.upload(draft, "%PDF-1.4 anchors", as: owner, filename: "anchor-cage.pdf")
                #expect(a.code == 201 && d.code == 201, "\(a.text) \(d.text)")
                let (aID, dID) = (try #require(a["file_id"]?.stringValue), try #require(d["file_id"]?.stringValue))

                let found = try await client.call(.get, "/v1/search?q=anch&type=file", as: owner)
                #expect(Set(SearchTests.ids(found)) == [aID, dID], "\(found.text)")
                #expect(found.items.allSatisfy { $0["type"] == "file" })
                let byDescription = try await client.call(.get, "/v1/search?q=footing&type=file", as: owner)
                #expect(SearchTests.ids(byDescription) == [aID])
                #expect(byDescription.items.first?["name"] == "anchor-bolt-plan.pdf")
                #expect(byDescription.items.first?["project_id"]?.stringValue == approved.lowercased)
                // A fabricator sees the approved project's file only; a client neither (not theirs).
                #expect(SearchTests.ids(try await client.call(.get, "/v1/search?q=anchor&type=file", as: world.token("fabricator"))) == [aID])
                #expect(try await client.call(.get, "/v1/search?q=anchor&type=file", as: world.token("client")).items.isEmpty)
                // A deleted file is no longer found.
                let deleted = try await client.call(
                    .delete, "/v1/projects/\(draft.lowercased)/files/\(dID)", as: owner, json: ["reason": "superseded"])
                #expect(deleted.code < 300, "\(deleted.text)")
                #expect(SearchTests.ids(try await client.call(.get, "/v1/search?q=anchor&type=file", as: owner)) == [aID])
            }
        }
    }
}
