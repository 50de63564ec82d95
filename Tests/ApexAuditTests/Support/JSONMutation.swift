import ApexDomain

/// A deterministic random source for mutations (xorshift64), seeded by the property check.
struct MutationRandom {
    private var state: UInt64
    init(seed: Int) { state = UInt64(truncatingIfNeeded: seed) | 1 }
    mutating func next() -> UInt64 {
        state ^= state << 13
        state ^= state >> 7
        state ^= state << 17
        return state
    }
    mutating func below(_ n: Int) -> Int { n <= 0 ? 0 : Int(next() % UInt64(n)) }
}

/// Where a value sits in a JSON tree: member names and array indexes from the root.
enum JSONStep: Sendable, Hashable { case member(String), index(Int) }

extension JSONValue {
    /// Every path in the tree, the root (`[]`) first.
    var allPaths: [[JSONStep]] {
        var paths: [[JSONStep]] = [[]]
        switch self {
        case .object(let members):
            for key in members.keys.sorted() { paths += members[key]!.allPaths.map { [.member(key)] + $0 } }
        case .array(let items):
            for (i, item) in items.enumerated() { paths += item.allPaths.map { [.index(i)] + $0 } }
        default: break
        }
        return paths
    }

    /// This tree with the value at `path` passed through `change` (nil removes it from its parent).
    func changing(_ path: ArraySlice<JSONStep>, _ change: (JSONValue) -> JSONValue?) -> JSONValue? {
        guard let step = path.first else { return change(self) }
        switch (self, step) {
        case (.object(var members), .member(let key)):
            members[key] = members[key]?.changing(path.dropFirst(), change)
            return .object(members)
        case (.array(var items), .index(let i)) where items.indices.contains(i):
            if let changed = items[i].changing(path.dropFirst(), change) { items[i] = changed } else { items.remove(at: i) }
            return .array(items)
        default:
            return self
        }
    }

    /// Values an attacker would put where a number, string or object is expected: numbers no
    /// integer type holds, wrong kinds, deep nesting, long text.
    static let hostile: [JSONValue] = [
        .number(1e300), .number(-1e300), .number(9.3e18), .number(-9.3e18), .number(9_223_372_036_854_775_808),
        .number(1.5), .number(-1), .number(0), .number(1e-300), .number(4_294_967_296),
        .string(""), .string("x"), .string("1e300"), .string(String(repeating: "9", count: 400)), .null, .bool(true),
        .array([]), .object([:]), [.number(1e300)], ["position": .number(1e300)],
        deep(200), .string("\u{0}"), .string("1|project-x|1|h"),
    ]

    /// `depth` arrays nested in one another.
    static func deep(_ depth: Int) -> JSONValue {
        (0..<depth).reduce(JSONValue.number(1)) { inner, _ in .array([inner]) }
    }
}
