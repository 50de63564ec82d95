/// A before/after comparison of two JSON states, keyed by dotted field paths (`site.city`).
///
/// Objects are compared member by member; arrays, strings, numbers and sets compare as whole
/// values. `Diff.between(a, b).applied(to: a) == b` for any two objects.
public struct Diff: Sendable, Hashable, Codable {
    /// A changed value.
    public struct Change: Sendable, Hashable, Codable {
        /// The value before.
        public var before: JSONValue
        /// The value after.
        public var after: JSONValue

        /// A change.
        public init(before: JSONValue, after: JSONValue) {
            self.before = before
            self.after = after
        }
    }

    /// Paths present in both, with different values.
    public var changed: [String: Change]
    /// Paths only in the after state.
    public var added: [String: JSONValue]
    /// Paths only in the before state.
    public var removed: [String: JSONValue]

    /// A diff.
    public init(changed: [String: Change] = [:], added: [String: JSONValue] = [:], removed: [String: JSONValue] = [:]) {
        self.changed = changed
        self.added = added
        self.removed = removed
    }

    /// No differences.
    public var isEmpty: Bool { changed.isEmpty && added.isEmpty && removed.isEmpty }

    /// The differences from `before` to `after`.
    public static func between(_ before: JSONValue, _ after: JSONValue) -> Diff {
        var diff = Diff()
        compare(before, after, path: "", into: &diff)
        return diff
    }

    private static func compare(_ a: JSONValue, _ b: JSONValue, path: String, into diff: inout Diff) {
        guard a != b else { return }
        if case .object(let x) = a, case .object(let y) = b {
            for (key, value) in x {
                let sub = path.isEmpty ? key : path + "." + key
                if let other = y[key] { compare(value, other, path: sub, into: &diff) } else { diff.removed[sub] = value }
            }
            for (key, value) in y where x[key] == nil {
                diff.added[path.isEmpty ? key : path + "." + key] = value
            }
        } else {
            diff.changed[path] = Change(before: a, after: b)
        }
    }

    /// `value` with this diff applied: what was removed is gone, what was added or changed holds its after value.
    ///
    /// Keys must not contain dots themselves for the path to be unambiguous (project fields don't).
    public func applied(to value: JSONValue) -> JSONValue {
        var result = value
        for path in removed.keys { Self.set(&result, path: path, to: nil) }
        for (path, change) in changed { Self.set(&result, path: path, to: change.after) }
        for (path, v) in added { Self.set(&result, path: path, to: v) }
        return result
    }

    private static func set(_ value: inout JSONValue, path: String, to newValue: JSONValue?) {
        if path.isEmpty {
            value = newValue ?? .null
            return
        }
        let parts = path.split(separator: ".", maxSplits: 1).map(String.init)
        var members = value.objectValue ?? [:]
        if parts.count == 1 {
            members[parts[0]] = newValue
        } else {
            var child = members[parts[0]] ?? .object([:])
            set(&child, path: parts[1], to: newValue)
            members[parts[0]] = child
        }
        value = .object(members)
    }

    /// The diff in the audit format: `{"changed": {path: {"before","after"}}, "added": {…}, "removed": {…}}`.
    public var json: JSONValue {
        .object([
            "changed": .object(changed.mapValues { .object(["before": $0.before, "after": $0.after]) }),
            "added": .object(added),
            "removed": .object(removed),
        ])
    }
}
