import ApexDomain
import Foundation
import PropertyBased
import Testing

/// Ids, times and licenses the domain tests share. The domain takes time and ids as values, so
/// every test fixes them and every expectation can be written down literally.
enum DomainFixtures {
    static let accountID = UUID(uuidString: "a0000000-0000-4000-8000-000000000001")!
    static let ownerID = UUID(uuidString: "b0000000-0000-4000-8000-000000000001")!
    static let engineerID = UUID(uuidString: "b0000000-0000-4000-8000-000000000002")!
    static let clientID = UUID(uuidString: "b0000000-0000-4000-8000-000000000003")!
    static let projectID = UUID(uuidString: "c0000000-0000-4000-8000-000000000001")!
    static let calcA = UUID(uuidString: "d0000000-0000-4000-8000-00000000000a")!
    static let calcB = UUID(uuidString: "d0000000-0000-4000-8000-00000000000b")!

    /// 2026-01-27T10:00:00Z: when the commands are decided.
    static let now = date("2026-01-27T10:00:00Z")
    /// The decision context at ``now``.
    static let context = DecisionContext(now: now)

    /// A license valid until 2027-06-30.
    static let license = PELicense(number: "PE-12345", state: "TX", expiresOn: CivilDate(year: 2027, month: 6, day: 30))

    /// Valid `pole_base_moment` inputs.
    static let poleInputs: [String: JSONValue] = ["F": 2000, "y": 15, "Fb": 30]

    /// The date of an ISO 8601 text the test controls (traps on a typo).
    static func date(_ text: String) -> Date {
        guard let date = Timestamp.parse(text) else { preconditionFailure("bad fixture time \(text)") }
        return date
    }

    /// A recognisable UUID: `<prefix>0000000-0000-4000-8000-<n, 12 digits>`.
    static func uuid(_ n: Int, prefix: Character = "e") -> UUID {
        let digits = String(n)
        let tail = String(repeating: "0", count: max(0, 12 - digits.count)) + digits
        return UUID(uuidString: "\(prefix)0000000-0000-4000-8000-\(tail)")!
    }

    /// Fields of a fresh project.
    static func fields(
        name: String = "Pole sign", description: String = "", clientID: UUID? = nil, tags: [String] = [],
        site: Site? = nil
    ) -> ProjectFields {
        ProjectFields(name: name, description: description, clientID: clientID, tags: tags, site: site)
    }
}

/// Turns drafts into recorded events the way a store would: ids, versions and positions from
/// counters, `recorded_at` from a clock that ticks `step` per event, and the hash chain.
struct EventStamper {
    /// The stream written to.
    var stream: StreamID
    /// The tenant of every event.
    var accountID: UUID = DomainFixtures.accountID
    /// Who acts.
    var actor: Actor = .user(DomainFixtures.ownerID)
    /// Where requests come from.
    var requestMetadata: RequestMetadata = .none
    /// The `recorded_at` of version 1.
    var start: Date = DomainFixtures.now
    /// Seconds between two events.
    var step: TimeInterval = 60
    /// The global position of version 1 (other streams wrote before it).
    var firstPosition: Int64 = 1
    /// The last version stamped.
    private(set) var version: Int64 = 0
    /// The last hash in the chain.
    private(set) var lastHash = EventHash.genesis

    init(stream: StreamID) { self.stream = stream }

    /// When version `v` is recorded.
    func time(ofVersion v: Int64) -> Date { start.addingTimeInterval(Double(v - 1) * step) }

    /// The next events, in order.
    mutating func stamp(_ drafts: [DraftEvent]) -> [EventEnvelope] {
        drafts.map { draft in
            version += 1
            var envelope = EventEnvelope(
                position: firstPosition + version - 1, stream: stream, version: version,
                id: DomainFixtures.uuid(Int(version)), type: draft.type, schemaVersion: draft.schemaVersion,
                data: draft.data, accountID: accountID, actor: actor, requestMetadata: requestMetadata,
                reason: draft.reason, recordedAt: time(ofVersion: version), prevHash: lastHash, hash: "")
            envelope.hash = EventHash.compute(envelope, prevHash: lastHash)
            lastHash = envelope.hash
            return envelope
        }
    }
}

/// A project driven through ``ProjectDecider`` and folded event by event, as the server does.
struct ProjectScenario {
    var stamper = EventStamper(stream: .project(DomainFixtures.projectID))
    /// Every event so far.
    private(set) var events: [EventEnvelope] = []
    /// The fold of ``events``.
    private(set) var state = ProjectState()
    /// When commands are decided.
    var now = DomainFixtures.now

    init() {}

    /// A project created with `fields` (by default named "Pole sign").
    static func created(_ fields: ProjectFields = DomainFixtures.fields()) throws -> ProjectScenario {
        var scenario = ProjectScenario()
        try scenario.run(.create(projectID: DomainFixtures.projectID, fields: fields))
        return scenario
    }

    /// The drafts `command` gives on the current state (nothing is recorded).
    func decide(_ command: ProjectCommand, now: Date? = nil) throws(DomainError) -> [DraftEvent] {
        try ProjectDecider.decide(command, state: state, context: DecisionContext(now: now ?? self.now))
    }

    /// Decides `command`, records its events and folds them in; returns the new events.
    @discardableResult
    mutating func run(_ command: ProjectCommand, now: Date? = nil) throws -> [EventEnvelope] {
        let recorded = stamper.stamp(try decide(command, now: now))
        for event in recorded { try state.apply(event) }
        events += recorded
        return recorded
    }

    /// Runs each command in turn.
    mutating func run(_ commands: [ProjectCommand]) throws {
        for command in commands { try run(command) }
    }

    /// The error `command` is refused with; records an issue when it is accepted instead.
    func refusal(_ command: ProjectCommand, now: Date? = nil, sourceLocation: SourceLocation = #_sourceLocation) -> DomainError? {
        do {
            let drafts = try decide(command, now: now)
            Issue.record("accepted, giving \(drafts.map(\.type))", sourceLocation: sourceLocation)
            return nil
        } catch {
            return error
        }
    }
}

/// An account driven through ``AccountDecider`` and folded event by event.
struct AccountScenario {
    var stamper = EventStamper(stream: .account(DomainFixtures.accountID))
    /// Every event so far.
    private(set) var events: [EventEnvelope] = []
    /// The fold of ``events``.
    private(set) var state = AccountState()
    /// When commands are decided.
    var now = DomainFixtures.now

    init() {}

    /// An account created with its owner Ada.
    static func created() throws -> AccountScenario {
        var scenario = AccountScenario()
        try scenario.run(
            .create(
                accountID: DomainFixtures.accountID, name: "Acme Signs", ownerID: DomainFixtures.ownerID,
                ownerName: "Ada Lovelace", ownerEmail: "ada@example.com"))
        return scenario
    }

    /// The drafts `command` gives on the current state.
    func decide(_ command: AccountCommand, now: Date? = nil) throws(DomainError) -> [DraftEvent] {
        try AccountDecider.decide(command, state: state, context: DecisionContext(now: now ?? self.now))
    }

    /// Decides `command`, records its events and folds them in; returns the new events.
    @discardableResult
    mutating func run(_ command: AccountCommand, now: Date? = nil) throws -> [EventEnvelope] {
        let recorded = stamper.stamp(try decide(command, now: now))
        for event in recorded { try state.apply(event) }
        events += recorded
        return recorded
    }

    /// Invites `userID` as `role` with the token hash `token-<n>` and lets them join.
    mutating func addUser(_ userID: UUID, role: Role, n: Int, license: PELicense? = nil) throws {
        try run(
            .invite(
                invitationID: DomainFixtures.uuid(n, prefix: "f"), userID: userID, email: "user\(n)@example.com",
                name: nil, role: role, tokenHash: "token-\(n)", expiresAt: now.addingTimeInterval(86_400)))
        try run(.accept(tokenHash: "token-\(n)", name: "User \(n)", peLicense: license))
    }

    /// The error `command` is refused with; records an issue when it is accepted instead.
    func refusal(_ command: AccountCommand, now: Date? = nil, sourceLocation: SourceLocation = #_sourceLocation) -> DomainError? {
        do {
            let drafts = try decide(command, now: now)
            Issue.record("accepted, giving \(drafts.map(\.type))", sourceLocation: sourceLocation)
            return nil
        } catch {
            return error
        }
    }
}

/// Random JSON for property tests: every kind of value, keys without dots (as diff paths need),
/// strings that need escaping, and numbers from small integers to any finite `Double`.
enum RandomJSON {
    /// Object keys; few enough that two random objects share some.
    static let keys = ["a", "b", "c", "name", "site", "city", "Z", "é", "😀"]
    /// String pieces, escapes and non-ASCII included.
    static let pieces = ["a", "Z", "0", " ", "\"", "\\", "/", "\n", "\r", "\t", "\u{0}", "\u{1F}", "\u{7F}", "é", "😀", "ｱ"]

    static func int(_ range: ClosedRange<Int>, _ rng: inout any SeededRandomNumberGenerator) -> Int {
        Int.random(in: range, using: &rng)
    }

    /// Any JSON value, nested at most `depth` deep.
    static func value(_ rng: inout any SeededRandomNumberGenerator, depth: Int) -> JSONValue {
        switch int(0...(depth > 0 ? 5 : 3), &rng) {
        case 0: return .null
        case 1: return .bool(int(0...1, &rng) == 1)
        case 2: return .number(number(&rng))
        case 3: return .string(string(&rng))
        case 4: return .array((0..<int(0...3, &rng)).map { _ in value(&rng, depth: depth - 1) })
        default: return object(&rng, depth: depth - 1)
        }
    }

    /// An object of 0-5 members.
    static func object(_ rng: inout any SeededRandomNumberGenerator, depth: Int) -> JSONValue {
        var members: [String: JSONValue] = [:]
        for _ in 0..<int(0...5, &rng) { members[keys[int(0...keys.count - 1, &rng)]] = value(&rng, depth: depth) }
        return .object(members)
    }

    /// A finite number: mostly small integers and eighths, sometimes any finite bit pattern.
    static func number(_ rng: inout any SeededRandomNumberGenerator) -> Double {
        switch int(0...3, &rng) {
        case 0: return Double(int(-1000...1000, &rng))
        case 1: return Double(int(-1000...1000, &rng)) / 8
        case 2: return Double(int(-(1 << 53)...(1 << 53), &rng))
        default:
            while true {
                let d = Double(bitPattern: UInt64.random(in: .min ... .max, using: &rng))
                if d.isFinite { return d }
            }
        }
    }

    /// A string of 0-6 pieces.
    static func string(_ rng: inout any SeededRandomNumberGenerator) -> String {
        (0..<int(0...6, &rng)).map { _ in pieces[int(0...pieces.count - 1, &rng)] }.joined()
    }

    /// `value` changed a little: members dropped, replaced, added or changed deeper down.
    static func mutated(_ value: JSONValue, _ rng: inout any SeededRandomNumberGenerator, depth: Int) -> JSONValue {
        guard case .object(var members) = value else {
            return int(0...2, &rng) == 0 ? value : self.value(&rng, depth: depth)
        }
        for key in members.keys.sorted() {
            switch int(0...4, &rng) {
            case 0: members[key] = nil
            case 1: members[key] = self.value(&rng, depth: depth)
            case 2: members[key] = mutated(members[key]!, &rng, depth: depth - 1)
            default: break
            }
        }
        if int(0...1, &rng) == 1 { members[keys[int(0...keys.count - 1, &rng)]] = self.value(&rng, depth: depth) }
        return .object(members)
    }
}

/// Two JSON objects to compare; printed canonically when a property fails.
struct JSONPair: Sendable, CustomTestStringConvertible {
    var a: JSONValue
    var b: JSONValue
    var testDescription: String { "a: \(CanonicalJSON.string(a))  b: \(CanonicalJSON.string(b))" }
}

extension Gen where Value == JSONValue {
    /// Random JSON objects up to three levels deep.
    static var jsonObject: Generator<JSONValue, Shrink.None<JSONValue>> {
        Generator { rng in RandomJSON.object(&rng, depth: 3) }
    }
}

extension Gen where Value == JSONPair {
    /// Pairs of objects: half the time unrelated, half the time the second a mutation of the first.
    static var jsonPair: Generator<JSONPair, Shrink.None<JSONPair>> {
        Generator { rng in
            let a = RandomJSON.object(&rng, depth: 3)
            let b = RandomJSON.int(0...1, &rng) == 0 ? RandomJSON.object(&rng, depth: 3) : RandomJSON.mutated(a, &rng, depth: 3)
            return JSONPair(a: a, b: b)
        }
    }
}
