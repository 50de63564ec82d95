@testable import ApexDomain
import Foundation
import Testing

/// `ProjectFields.merging` applies well-formed changes field by field and falls back to the
/// merge-through-JSON path otherwise; both must give the same fields, or the same error.
@Suite("Project fields merging")
struct ProjectFieldsMergeTests {
    @Test func theFieldByFieldPathAgreesWithTheJSONPath() throws {
        var rng = SystemRandomNumberGenerator()
        let strings: [JSONValue] = ["", "Pole sign", "  padded  ", "é ✓", .string(String(repeating: "x", count: 201))]
        let values: [JSONValue] = strings + [.null, 3, true, ["a"], ["a", "b", "a"], ["a", 1], [:], ["address": "1 Main"],
            ["city": nil, "country": "US"], ["zip": "78701"], ["state": 5], .string(UUID().uuidString), .string(UUID().lowercased)]
        let keys = ["name", "description", "client_id", "tags", "site", "status"]
        var starts = [ProjectFields(name: "Start")]
        starts.append(ProjectFields(name: "Full", description: "d", clientID: UUID(), tags: ["b", "a"], site: Site(address: "2 Elm", city: "Waco")))
        var fastPaths = 0
        for _ in 0..<5_000 {
            let start = starts.randomElement(using: &rng)!
            var changes: [String: JSONValue] = [:]
            for _ in 0..<Int.random(in: 1...3, using: &rng) { changes[keys.randomElement(using: &rng)!] = values.randomElement(using: &rng)! }
            let viaJSON = Result { () throws(DomainError) -> ProjectFields in try start.mergingAsJSON(changes) }
            let merged = Result { () throws(DomainError) -> ProjectFields in try start.merging(changes) }
            if start.mergingWellFormed(changes) != nil { fastPaths += 1 }
            switch (merged, viaJSON) {
            case (.success(let a), .success(let b)): #expect(a == b, "changes \(changes)")
            case (.failure(let a), .failure(let b)): #expect(a.field == b.field && a.message == b.message, "changes \(changes)")
            default: Issue.record("paths disagree for \(changes): \(merged) vs \(viaJSON)")
            }
        }
        #expect(fastPaths > 250)  // about one change set in ten is well-formed; both paths must be exercised
    }

    @Test func storedTagsOutOfOrderComeOutSortedAndUniqueAfterAnyChange() throws {
        // A payload decoded from storage keeps its tags as written; the first change sorts them,
        // whichever field it changes (tags already in order are kept as they are).
        let stored = try CanonicalJSON.decode(ProjectFields.self, from: ["name": "Sign", "description": "", "tags": ["b", "a", "b"]])
        #expect(stored.tags == ["b", "a", "b"])
        #expect(try stored.merging(["name": "Renamed"]).tags == ["a", "b"])
        #expect(try stored.merging(["tags": ["z", "y", "z"]]).tags == ["y", "z"])
        #expect(try ProjectFields(name: "Sign", tags: ["a", "c"]).merging(["description": "d"]).tags == ["a", "c"])
        #expect(ProjectFields.normalized([]) == [] && ProjectFields.normalized(["a"]) == ["a"])
    }
}
