import ApexDomain
import Foundation
import PropertyBased
import Testing

// MARK: - Random sessions

/// One step of a random session: what to try, and two numbers that pick its details against the
/// state at that moment. Steps the decider refuses are skipped, as the server would answer 4xx.
struct Step: Sendable, CustomTestStringConvertible {
    var kind: Int
    var a: Int
    var b: Int
    var testDescription: String { "(\(kind),\(a),\(b))" }
}

/// A session played through the decider: its events and the state after each prefix.
struct Session {
    /// The accepted events, versions 1...n.
    var events: [EventEnvelope] = []
    /// `states[k]`: the state after `k` events, folded one event at a time as they were decided.
    var states: [ProjectState] = [ProjectState()]
    /// How many steps were refused.
    var refused = 0
}

enum Sessions {
    static let names: [JSONValue] = ["Pole sign", "Monument", "Pylon", "", "Channel letters"]
    static let tagSets: [JSONValue] = [[], ["lit"], ["lit", "north"], ["north", "double-sided"], nil]
    static let cities: [JSONValue] = ["Dallas", "Austin", nil]
    static let calcs = [DomainFixtures.calcA, DomainFixtures.calcB, DomainFixtures.uuid(3, prefix: "d")]

    /// 0-40 random steps.
    static let steps = zip(Gen.int(in: 0...11), Gen.int(in: 0...999), Gen.int(in: 0...999))
        .map { Step(kind: $0.0, a: $0.1, b: $0.2) }
        .array(of: 0...40)

    /// The command `step` stands for in `scenario`'s current state.
    static func command(_ step: Step, in scenario: ProjectScenario) -> ProjectCommand {
        let (a, b) = (step.a, step.b)
        let state = scenario.state
        let calc = calcs[a % calcs.count]
        let latest = state.calculations[calc]?.latestRevision ?? 1
        switch step.kind {
        case 0: return .update(changes: ["name": names[a % names.count]])
        case 1: return .update(changes: ["tags": tagSets[a % tagSets.count]])
        case 2: return .update(changes: ["site": b % 3 == 0 ? nil : ["city": cities[a % cities.count]]])
        case 3: return .update(changes: ["client_id": a % 2 == 0 ? nil : "b0000000-0000-4000-8000-000000000003", "description": .string("d\(b % 3)")])
        case 4, 5:
            // Half the time the next status on the happy path, else any status.
            let next: [ProjectStatus: ProjectStatus] = [
                .draft: .estimating, .estimating: .submitted, .submitted: .approved, .approved: .inFabrication,
                .inFabrication: .completed, .completed: .archived, .archived: state.statusBeforeArchive ?? .draft,
            ]
            let to = step.kind == 4 ? next[state.status]! : ProjectStatus.allCases[a % ProjectStatus.allCases.count]
            return .changeStatus(to: to, reason: b % 5 == 0 ? nil : "reason \(b)")
        case 6: return b % 2 == 0 ? .delete(reason: b % 5 == 0 ? nil : "delete \(b)") : .restore(reason: "restore \(b)")
        case 7:
            let version = Int64(a) % (state.version + 1)
            let then = (try? ProjectHistory(events: scenario.events).state(atVersion: version).fields) ?? DomainFixtures.fields()
            return .revert(toVersion: version, fieldsThen: then, reason: b % 5 == 0 ? nil : "revert \(b)")
        case 8: return .runCalculation(calculationID: calc, type: .poleBaseMoment, inputs: ["F": .number(Double(1000 + b)), "y": 15, "Fb": 30])
        case 9: return .reviseCalculation(calculationID: calc, inputs: ["F": .number(Double(1000 + b)), "y": 15, "Fb": 30])
        default:
            let revision = b % 4 == 0 ? latest - 1 : latest
            let license: PELicense? = b % 7 == 0 ? nil : DomainFixtures.license
            return .approveCalculation(calculationID: calc, revision: revision, approver: DomainFixtures.engineerID, license: license, reason: "checked")
        }
    }

    /// Creates the project, then plays `steps`; refused steps are counted and skipped.
    static func play(_ steps: [Step]) throws -> (Session, ProjectScenario) {
        var scenario = try ProjectScenario.created()
        var session = Session()
        session.states.append(scenario.state)
        for step in steps {
            let command = command(step, in: scenario)
            do {
                _ = try scenario.decide(command)
            } catch {
                session.refused += 1
                continue
            }
            for event in try scenario.run(command) {
                var state = session.states.last!
                try state.apply(event)
                session.states.append(state)
            }
        }
        session.events = scenario.events
        return (session, scenario)
    }
}

// MARK: - Replay properties

@Suite struct ReplayPropertyTests {
    @Test func sessionsExerciseEveryEventType() async {
        var types: Set<String> = []
        var refused = 0
        await propertyCheck(count: 200, input: Sessions.steps) { steps in
            let (session, _) = try Sessions.play(steps)
            types.formUnion(session.events.map(\.type))
            refused += session.refused
        }
        #expect(
            types == [
                "project.created", "project.updated", "project.status_changed", "project.deleted", "project.restored", "project.reverted",
                "calculation.run", "calculation.approved",
            ])
        #expect(refused > 0)
    }

    @Test func replayIsTheSameHoweverTheEventsAreBatched() async {
        await propertyCheck(count: 200, input: Sessions.steps, Gen.int(in: 0...1000).array(of: 0...6)) { steps, cuts in
            let (session, scenario) = try Sessions.play(steps)
            let final = session.states.last!
            #expect(scenario.state == final)
            #expect(try ProjectState.replay(session.events) == final)

            // Split at random points, fold batch after batch.
            let bounds = ([0, session.events.count] + cuts.map { $0 % (session.events.count + 1) }).sorted()
            var batched = ProjectState()
            for (lo, hi) in zip(bounds, bounds.dropFirst()) {
                for event in session.events[lo..<hi] { try batched.apply(event) }
            }
            #expect(batched == final)

            // Resume from any intermediate state, as a read model catching up does.
            for k in Set(bounds) {
                var resumed = try ProjectState.replay(session.events.prefix(k))
                #expect(resumed == session.states[k])
                for event in session.events.dropFirst(k) { try resumed.apply(event) }
                #expect(resumed == final)
            }
        }
    }

    @Test func stateAtVersionIsTheReplayOfThePrefix() async {
        await propertyCheck(count: 100, input: Sessions.steps) { steps in
            let (session, _) = try Sessions.play(steps)
            let history = ProjectHistory(events: session.events)
            for k in 0...session.events.count {
                let state = try history.state(atVersion: Int64(k))
                #expect(state == session.states[k])
                #expect(state.version == Int64(k))
            }
            let n = session.events.count
            #expect(throws: DomainError(.invalidInput, "version must be between 0 and \(n)", field: "version")) {
                try history.state(atVersion: Int64(n + 1))
            }
            #expect(throws: DomainError.self) { try history.state(atVersion: -1) }
        }
    }

    @Test func stateAtADateIncludesEverythingRecordedByThen() async {
        await propertyCheck(count: 100, input: Sessions.steps) { steps in
            let (session, _) = try Sessions.play(steps)
            let history = ProjectHistory(events: session.events)
            // Events are recorded a minute apart from DomainFixtures.now.
            #expect(try history.state(at: DomainFixtures.now.addingTimeInterval(-0.000001)) == ProjectState())
            for (k, event) in session.events.enumerated() {
                #expect(event.recordedAt == DomainFixtures.now.addingTimeInterval(Double(k) * 60))
                #expect(try history.state(at: event.recordedAt) == session.states[k + 1])
                #expect(try history.state(at: event.recordedAt.addingTimeInterval(30)) == session.states[k + 1])
                #expect(try history.state(at: event.recordedAt.addingTimeInterval(-1)) == session.states[k])
            }
            #expect(try history.state(at: .distantFuture) == session.states.last!)
        }
    }

    /// A memo carried from each state of a session to the next (as the server's state cache
    /// carries it) gives every state the hash a fresh one does: a record that changed (a
    /// revision, an approval, approvals voided by a reopen) is hashed again, never reused; and
    /// any change of the state changes its hash.
    @Test func aStateHashReusingTheLastOnesRecordsIsTheFreshHash() async {
        await propertyCheck(count: 100, input: Sessions.steps) { steps in
            let (session, _) = try Sessions.play(steps)
            var memo = StateHashMemo()
            var seen: [String: ProjectState] = [:]
            for state in session.states {
                let hash = state.stateHash(memo: &memo)
                #expect(hash == state.stateHash)
                #expect(hash.count == 64)
                if let earlier = seen[hash] { #expect(earlier == state, "two different states share a hash") }
                seen[hash] = state
            }
            // Carried backwards too: a memo of later records never passes for earlier ones.
            for state in session.states.reversed() { #expect(state.stateHash(memo: &memo) == state.stateHash) }
        }
    }

    /// A project list's summary folded event by event is the full state without its records,
    /// at every version.
    @Test func aSummaryIsTheStateWithoutItsRecords() async {
        await propertyCheck(count: 100, input: Sessions.steps) { steps in
            let (session, _) = try Sessions.play(steps)
            var summary = ProjectState()
            for (n, event) in session.events.enumerated() {
                try summary.applyToSummary(event)
                var expected = session.states[n + 1]
                expected.calculations = [:]
                expected.files = [:]
                #expect(summary == expected)
            }
        }
    }

    @Test func diffBetweenVersionsIsTheDiffOfTheirStates() async {
        await propertyCheck(count: 100, input: Sessions.steps, Gen.int(in: 0...1000), Gen.int(in: 0...1000)) { steps, x, y in
            let (session, _) = try Sessions.play(steps)
            let history = ProjectHistory(events: session.events)
            let (from, to) = (x % session.states.count, y % session.states.count)
            let before = session.states[from].auditJSON
            let after = session.states[to].auditJSON
            let diff = try history.diff(from: Int64(from), to: Int64(to))
            #expect(diff == Diff.between(before, after))
            #expect(diff.applied(to: before) == after)
            #expect(diff.isEmpty == (before == after))
            #expect(try history.diff(from: Int64(from), to: Int64(from)).isEmpty)
        }
    }

    @Test func auditTrailChainsBeforeToAfter() async {
        await propertyCheck(count: 100, input: Sessions.steps) { steps in
            let (session, _) = try Sessions.play(steps)
            let trail = try ProjectHistory(events: session.events).auditTrail()
            #expect(trail.count == session.events.count)
            #expect(trail.first?.before == [:])
            for (n, entry) in trail.enumerated() {
                #expect(entry.event == session.events[n])
                #expect(entry.after == session.states[n + 1].auditJSON)
                if n > 0 { #expect(entry.before == trail[n - 1].after) }
                #expect(entry.diff.applied(to: entry.before) == entry.after)
                switch entry.event.type {
                case "project.updated":
                    // The decider drops no-op patches, so every update shows a change.
                    #expect(!entry.diff.isEmpty)
                    #expect(entry.diff.added.isEmpty && entry.diff.removed.isEmpty)
                case "project.status_changed":
                    #expect(entry.diff.changed["status"] == Diff.Change(before: entry.event.data["from"]!, after: entry.event.data["to"]!))
                    if entry.event.data["from"] == "approved" && entry.event.data["to"] == "estimating" {
                        // Reopening voids the calculations' approvals: only they change besides the status.
                        #expect(entry.diff.changed.keys.allSatisfy { $0 == "status" || $0.hasPrefix("calculations") })
                    } else {
                        #expect(entry.diff.changed.count == 1)
                    }
                case "project.deleted":
                    #expect(entry.diff == Diff(changed: ["deleted": .init(before: false, after: true)]))
                case "project.restored":
                    #expect(entry.diff == Diff(changed: ["deleted": .init(before: true, after: false)]))
                case "calculation.run", "calculation.approved":
                    #expect(!entry.diff.isEmpty)
                    let paths = Array(entry.diff.changed.keys) + Array(entry.diff.added.keys)
                    #expect(paths.allSatisfy { $0.hasPrefix("calculations.") }, "\(paths)")
                case "project.reverted":
                    let paths = Array(entry.diff.changed.keys) + Array(entry.diff.added.keys) + Array(entry.diff.removed.keys)
                    let descriptive = ["name", "description", "client_id", "tags", "site"]
                    #expect(paths.allSatisfy { p in descriptive.contains { p == $0 || p.hasPrefix($0 + ".") } }, "\(paths)")
                default:
                    #expect(entry.event.type == "project.created")
                }
            }
        }
    }

    @Test func applyingAnEventOutOfOrderThrows() async {
        await propertyCheck(count: 100, input: Sessions.steps, Gen.int(in: 0...1000), Gen.int(in: 0...1000)) { steps, x, y in
            let (session, _) = try Sessions.play(steps)
            let k = x % session.events.count
            let j = y % session.states.count
            var state = session.states[j]
            if j == k {
                try state.apply(session.events[k])
                #expect(state == session.states[k + 1])
            } else {
                #expect(throws: DomainError(.invalidInput, "event version \(k + 1) does not follow \(j)")) {
                    try state.apply(session.events[k])
                }
                #expect(state == session.states[j])
            }
        }
    }

    @Test func replayingTheSameEventTwiceThrows() throws {
        let (session, _) = try Sessions.play([Step(kind: 0, a: 1, b: 0), Step(kind: 4, a: 0, b: 1)])
        #expect(session.events.map(\.version) == [1, 2, 3])
        #expect(throws: DomainError.self) { try ProjectState.replay([session.events[0], session.events[0]]) }
        #expect(throws: DomainError.self) { try ProjectState.replay([session.events[0], session.events[2], session.events[1]]) }
        #expect(throws: DomainError.self) { try ProjectState.replay(session.events.dropFirst()) }
    }
}

// MARK: - Audit entries in the design brief's format

@Suite struct AuditEntryTests {
    private static let ownerText = "b0000000-0000-4000-8000-000000000001"

    /// v1 created "Old Name", v2 estimating, v3 renamed "New Name" at position 42, 2026-01-27T10:00:00Z.
    private func renamed(_ metadata: RequestMetadata) throws -> [AuditEntry] {
        var s = ProjectScenario()
        s.stamper.firstPosition = 40
        s.stamper.start = DomainFixtures.date("2026-01-27T09:58:00Z")
        s.stamper.requestMetadata = metadata
        try s.run(.create(projectID: DomainFixtures.projectID, fields: DomainFixtures.fields(name: "Old Name")))
        try s.run(.changeStatus(to: .estimating, reason: nil))
        try s.run(.update(changes: ["name": "New Name"]))
        return try ProjectHistory(events: s.events).auditTrail()
    }

    private static let browser = RequestMetadata(
        ipAddress: "192.168.1.100", userAgent: "Mozilla/5.0 (X11; Linux x86_64)", xForwardedFor: "10.0.0.1", peerAddress: "10.0.0.2",
        requestID: "abc123", traceID: nil)

    private static func state(name: String) -> JSONValue {
        [
            "name": .string(name), "description": "", "client_id": nil, "tags": [], "site": nil, "status": "estimating", "deleted": false,
            "calculations": [:],
        ]
    }

    @Test func entryHasTheBriefsShape() throws {
        let entry = try renamed(Self.browser)[2]
        #expect(
            entry.json() == [
                "position": 42, "version": 3, "type": "project.updated", "recorded_at": "2026-01-27T10:00:00.000000Z",
                "actor": ["user_id": .string(Self.ownerText)], "reason": nil,
                "request_metadata": [
                    "ip_address": "192.168.1.100", "user_agent": "Mozilla/5.0 (X11; Linux x86_64)", "x_forwarded_for": "10.0.0.1",
                    "request_id": "abc123", "trace_id": nil,
                ],
                "before": Self.state(name: "Old Name"),
                "after": Self.state(name: "New Name"),
                "diff": ["changed": ["name": ["before": "Old Name", "after": "New Name"]], "added": [:], "removed": [:]],
            ])
    }

    @Test func statusChangeEntry() throws {
        let entry = try renamed(Self.browser)[1]
        let json = entry.json()
        #expect(json["type"] == "project.status_changed")
        #expect(json["position"] == 41)
        #expect(json["diff"] == ["changed": ["status": ["before": "draft", "after": "estimating"]], "added": [:], "removed": [:]])
    }

    @Test func firstEntryAddsEverything() throws {
        let entry = try renamed(.none)[0]
        #expect(entry.before == [:])
        #expect(entry.diff.changed.isEmpty)
        #expect(entry.diff.removed.isEmpty)
        #expect(
            entry.diff.added.keys.sorted() == ["calculations", "client_id", "deleted", "description", "name", "site", "status", "tags"])
        #expect(entry.json()["request_metadata"] == ["ip_address": nil, "user_agent": nil, "x_forwarded_for": nil, "request_id": nil, "trace_id": nil])
    }

    @Test func hidingPersonalDataNullsTheAddressFieldsOnly() throws {
        let json = try renamed(Self.browser)[2].json(showPersonalData: false)
        #expect(
            json["request_metadata"] == ["ip_address": nil, "user_agent": nil, "x_forwarded_for": nil, "request_id": "abc123", "trace_id": nil])
        #expect(json["before"] == Self.state(name: "Old Name"))
        #expect(json["actor"] == ["user_id": .string(Self.ownerText)])
    }

    @Test func erasedAndSealedValuesShowTheirMarkers() throws {
        var metadata = Self.browser
        metadata.ipAddress = Personal(subject: "meta", content: .erased)
        metadata.userAgent = Personal(subject: "meta", content: .sealed("AAAA"))
        metadata.traceID = "4bf92f3577b34da6a3ce929d0e0e4736"
        let json = try renamed(metadata)[2].json()
        #expect(
            json["request_metadata"] == [
                "ip_address": "[erased]", "user_agent": "[sealed]", "x_forwarded_for": "10.0.0.1", "request_id": "abc123",
                "trace_id": "4bf92f3577b34da6a3ce929d0e0e4736",
            ])
        #expect(try renamed(metadata)[2].json(showPersonalData: false)["request_metadata"]?["ip_address"] == .some(.null))
    }

    @Test func reasonAndOtherActorsAppear() throws {
        var s = try ProjectScenario.created()
        s.stamper.actor = .user(DomainFixtures.engineerID, onBehalfOf: DomainFixtures.clientID)
        try s.run(.delete(reason: "duplicate of 17"))
        s.stamper.actor = .service("apex-cli")
        try s.run(.restore(reason: "mistake"))
        let trail = try ProjectHistory(events: s.events).auditTrail()
        #expect(trail[1].json()["reason"] == "duplicate of 17")
        #expect(
            trail[1].json()["actor"] == [
                "user_id": "b0000000-0000-4000-8000-000000000002", "on_behalf_of": "b0000000-0000-4000-8000-000000000003",
            ])
        #expect(trail[2].json()["actor"] == ["user_id": nil, "service": "apex-cli"])
    }
}

// MARK: - Personal values and envelopes

@Suite struct PersonalAndEnvelopeTests {
    @Test func personalValuesDisplayPlainErasedOrSealed() {
        #expect(Personal("Ada", subject: "user:1").display == "Ada")
        #expect(Personal("Ada", subject: "user:1").plaintext == "Ada")
        #expect(Personal(subject: "user:1", content: .erased).display == "[erased]")
        #expect(Personal(subject: "user:1", content: .erased).plaintext == nil)
        #expect(Personal(subject: "user:1", content: .sealed("xyz")).display == "[sealed]")
        #expect(Personal.erasedMarker == "[erased]")
    }

    @Test func personalValuesCodeAsPIIObjects() throws {
        let cases: [(Personal, JSONValue)] = [
            (Personal("Ada", subject: "user:1"), ["pii": "user:1", "value": "Ada"]),
            (Personal(subject: "user:1", content: .sealed("c2VhbGVk")), ["pii": "user:1", "sealed": "c2VhbGVk"]),
            (Personal(subject: "user:1", content: .erased), ["pii": "user:1", "erased": true]),
        ]
        for (personal, json) in cases {
            #expect(try CanonicalJSON.value(of: personal) == json)
            #expect(personal.json == json)
            #expect(try CanonicalJSON.decode(Personal.self, from: json) == personal)
        }
        #expect(try CanonicalJSON.decode(Personal.self, from: ["pii": "user:1"]).content == .erased)
    }

    @Test func requestMetadataMarksAddressesPersonal() {
        let m = RequestMetadata(
            ipAddress: "1.2.3.4", userAgent: "curl", xForwardedFor: "5.6.7.8", peerAddress: "9.9.9.9", requestID: "r", traceID: "t",
            forwarded: "for=5.6.7.8")
        #expect(m.ipAddress == Personal("1.2.3.4", subject: "meta"))
        #expect(m.peerAddress?.subject == DataSubject.requestMetadata)
        #expect(m.personalFields.count == 5)
        #expect(m.personalFields.map { m[keyPath: $0]?.plaintext } == ["1.2.3.4", "curl", "5.6.7.8", "9.9.9.9", "for=5.6.7.8"])
        // `forwarded` is in the JSON (and so the hash) only when set: older events hash as they did.
        #expect(RequestMetadata(ipAddress: "1.2.3.4").json["forwarded"] == nil)
        #expect((try? RequestMetadata(json: m.json))?.forwarded?.plaintext == "for=5.6.7.8")
        #expect(RequestMetadata.none.ipAddress == nil)
        #expect(DataSubject.user("abc") == "user:abc")
    }

    @Test func streamNames() {
        #expect(StreamID.project(DomainFixtures.projectID).rawValue == "project-c0000000-0000-4000-8000-000000000001")
        #expect(StreamID.account(DomainFixtures.accountID).description == "account-a0000000-0000-4000-8000-000000000001")
    }

    @Test func envelopeCodesWithSnakeCaseKeys() throws {
        var stamper = EventStamper(stream: .project(DomainFixtures.projectID))
        stamper.requestMetadata = RequestMetadata(ipAddress: "1.2.3.4", requestID: "abc123")
        let event = stamper.stamp([try ProjectDeleted().draft(reason: "dup")])[0]
        let json = try CanonicalJSON.value(of: event)
        #expect(
            json.objectValue?.keys.sorted() == [
                "account_id", "actor", "data", "hash", "id", "position", "prev_hash", "reason", "recorded_at", "request_metadata",
                "schema_version", "stream", "type", "version",
            ])
        #expect(json["stream"] == "project-c0000000-0000-4000-8000-000000000001")
        #expect(json["recorded_at"] == "2026-01-27T10:00:00.000000Z")
        #expect(json["request_metadata"]?["ip_address"] == ["pii": "meta", "value": "1.2.3.4"])
        #expect(try CanonicalJSON.decode(EventEnvelope.self, from: json) == event)
    }

    @Test func hashChainsEachStreamAndCoversTheBodyNotThePosition() throws {
        var stamper = EventStamper(stream: .project(DomainFixtures.projectID))
        let events = stamper.stamp([
            try ProjectDeleted().draft(reason: "a"), try ProjectRestored().draft(reason: "b"), try ProjectDeleted().draft(reason: "c"),
        ])
        #expect(EventHash.genesis == String(repeating: "0", count: 64))
        #expect(events[0].prevHash == EventHash.genesis)
        #expect(events[1].prevHash == events[0].hash)
        #expect(events[2].prevHash == events[1].hash)
        #expect(Set(events.map(\.hash)).count == 3)
        for event in events {
            #expect(event.hash.count == 64)
            #expect(event.hash.allSatisfy { "0123456789abcdef".contains($0) })
        }
        #expect(
            events[0].canonicalBody.objectValue?.keys.sorted() == [
                "account_id", "actor", "data", "id", "reason", "recorded_at", "request_metadata", "schema_version", "stream", "type", "version",
            ])

        var moved = events[1]
        moved.position = 999
        #expect(EventHash.compute(moved, prevHash: events[0].hash) == events[1].hash)
        var edited = events[1]
        edited.reason = "c"
        #expect(EventHash.compute(edited, prevHash: events[0].hash) != events[1].hash)
        #expect(EventHash.compute(events[1], prevHash: EventHash.genesis) != events[1].hash)
        #expect(EventHash.hex([0x00, 0x0f, 0xa5, 0xff]) == "000fa5ff")
    }
}
