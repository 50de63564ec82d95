import ApexDomain
import PropertyBased
import Testing

@Suite struct DiffTests {
    private let before: JSONValue = [
        "name": "Old Name", "status": "draft", "tags": ["north"], "deleted": false,
        "site": ["address": "1 Main St", "city": "Dallas", "state": "TX", "country": nil],
    ]

    @Test func nestedObjectsDiffByDottedPath() {
        var after = before.objectValue!
        after["site"] = ["address": "1 Main St", "city": "Austin", "state": "TX", "country": "US"]
        let diff = Diff.between(before, .object(after))
        #expect(diff.changed == ["site.city": .init(before: "Dallas", after: "Austin"), "site.country": .init(before: nil, after: "US")])
        #expect(diff.added.isEmpty)
        #expect(diff.removed.isEmpty)
    }

    @Test func arraysCompareAsWholeValues() {
        var after = before.objectValue!
        after["tags"] = ["north", "lit"]
        let diff = Diff.between(before, .object(after))
        #expect(diff == Diff(changed: ["tags": .init(before: ["north"], after: ["north", "lit"])]))
    }

    @Test func arraysOfObjectsAreNotEnteredEither() {
        let diff = Diff.between(["list": [["a": 1]]], ["list": [["a": 2]]])
        #expect(diff == Diff(changed: ["list": .init(before: [["a": 1]], after: [["a": 2]])]))
    }

    @Test func addedAndRemovedMembers() {
        let diff = Diff.between(["a": 1, "gone": ["x": 1]], ["a": 1, "new": [1, 2], "n": nil])
        #expect(diff.changed.isEmpty)
        #expect(diff.added == ["new": [1, 2], "n": nil])
        #expect(diff.removed == ["gone": ["x": 1]])
    }

    @Test func membersOfNestedObjectsAreAddedAndRemovedByPath() {
        let diff = Diff.between(["site": ["city": "Dallas"]], ["site": ["state": "TX"]])
        #expect(diff == Diff(added: ["site.state": "TX"], removed: ["site.city": "Dallas"]))
    }

    @Test func objectReplacingAScalarIsOneChange() {
        let site: JSONValue = ["city": "Austin"]
        let diff = Diff.between(["site": nil], ["site": site])
        #expect(diff == Diff(changed: ["site": .init(before: nil, after: site)]))
        #expect(Diff.between(["site": site], ["site": nil]) == Diff(changed: ["site": .init(before: site, after: nil)]))
    }

    @Test func deepPaths() {
        let diff = Diff.between(["a": ["b": ["c": ["d": 1]]]], ["a": ["b": ["c": ["d": 2, "e": true]]]])
        #expect(diff == Diff(changed: ["a.b.c.d": .init(before: 1, after: 2)], added: ["a.b.c.e": true]))
    }

    @Test func typeChangesAreChanges() {
        let diff = Diff.between(["n": 1, "s": "1", "b": true], ["n": "1", "s": 1, "b": 1])
        #expect(diff.changed.keys.sorted() == ["b", "n", "s"])
        #expect(diff.changed["n"] == .init(before: 1, after: "1"))
    }

    @Test func identicalValuesGiveAnEmptyDiff() {
        let diff = Diff.between(before, before)
        #expect(diff.isEmpty)
        #expect(diff == Diff())
        #expect(diff.json == ["changed": [:], "added": [:], "removed": [:]])
    }

    @Test func nonObjectRootsChangeAsAWhole() {
        let diff = Diff.between(1, "one")
        #expect(diff == Diff(changed: ["": .init(before: 1, after: "one")]))
        #expect(diff.applied(to: 1) == "one")
    }

    @Test func jsonHasTheAuditFormat() {
        let after: JSONValue = ["name": "New Name", "status": "estimating", "extra": 1]
        let diff = Diff.between(["name": "Old Name", "status": "draft", "gone": true], after)
        #expect(
            diff.json == [
                "changed": [
                    "status": ["before": "draft", "after": "estimating"],
                    "name": ["before": "Old Name", "after": "New Name"],
                ],
                "added": ["extra": 1],
                "removed": ["gone": true],
            ])
    }

    @Test func isEmptyLooksAtAllThreeParts() {
        #expect(!Diff(added: ["a": 1]).isEmpty)
        #expect(!Diff(removed: ["a": 1]).isEmpty)
        #expect(!Diff(changed: ["a": .init(before: 1, after: 2)]).isEmpty)
    }

    @Test func appliedRemovesAddsAndChanges() {
        let a: JSONValue = ["keep": 1, "drop": 2, "site": ["city": "Dallas", "zip": "75001"]]
        let b: JSONValue = ["keep": 1, "site": ["city": "Austin"], "new": nil]
        let diff = Diff.between(a, b)
        #expect(diff.applied(to: a) == b)
        #expect(Diff.between(b, a).applied(to: b) == a)
    }

    @Test func codableRoundTrip() throws {
        let diff = Diff(changed: ["site.city": .init(before: "Dallas", after: "Austin")], added: ["x": nil], removed: ["y": [1]])
        let value = try CanonicalJSON.value(of: diff)
        #expect(try CanonicalJSON.decode(Diff.self, from: value) == diff)
    }

    // MARK: Properties

    @Test func appliedToBeforeGivesAfter() async {
        await propertyCheck(count: 500, input: Gen<JSONPair>.jsonPair) { pair in
            let diff = Diff.between(pair.a, pair.b)
            #expect(diff.applied(to: pair.a) == pair.b)
        }
    }

    @Test func diffOfAValueWithItselfIsEmpty() async {
        await propertyCheck(count: 300, input: Gen<JSONValue>.jsonObject) { value in
            #expect(Diff.between(value, value).isEmpty)
            #expect(Diff.between(value, value).applied(to: value) == value)
        }
    }

    @Test func reversedDiffSwapsAddedRemovedAndBeforeAfter() async {
        await propertyCheck(count: 300, input: Gen<JSONPair>.jsonPair) { pair in
            let forward = Diff.between(pair.a, pair.b)
            let backward = Diff.between(pair.b, pair.a)
            #expect(backward.added == forward.removed)
            #expect(backward.removed == forward.added)
            #expect(backward.changed == forward.changed.mapValues { Diff.Change(before: $0.after, after: $0.before) })
        }
    }

    /// No path is reported twice, and no reported path lies inside another (objects are entered, not reported).
    @Test func pathsAreDisjointAndNeverNested() async {
        await propertyCheck(count: 300, input: Gen<JSONPair>.jsonPair) { pair in
            let diff = Diff.between(pair.a, pair.b)
            let paths = Array(diff.changed.keys) + Array(diff.added.keys) + Array(diff.removed.keys)
            #expect(Set(paths).count == paths.count)
            for p in paths {
                for q in paths where p != q { #expect(!q.hasPrefix(p + "."), "\(p) contains \(q)") }
            }
            for change in diff.changed.values { #expect(change.before != change.after) }
        }
    }
}
