import ApexDomain
@testable import ApexStore
import Crypto
import Foundation
import Testing

/// Reads hand out envelopes that decode data, actor and request metadata (and open their
/// personal values) on first access. These tests hold them to the envelopes a row decoded at
/// once would give, and check the rows that must not be deferred.
@Suite("Conformance: envelopes decoded on first access")
struct DeferredDecodingTests {
    /// Events with personal data in the payload and in the request metadata, escapes, non-ASCII
    /// text, a reason, and an actor acting for someone else.
    static func mixedEvents() throws -> [ProposedEvent] {
        let owner = UUID()
        let created = AccountCreated(
            accountID: Events.account, name: "Acme \"Signs\"\tGmbH", ownerID: owner, ownerName: "Zoë Ångström", ownerEmail: "zoe@example.com")
        let metadata = RequestMetadata(
            ipAddress: "203.0.113.9", userAgent: "curl/8.0 \"quoted\"", xForwardedFor: "198.51.100.4, 10.0.0.1", peerAddress: "10.0.0.1",
            requestID: "req-é", traceID: "0af7651916cd43dd8448eb211c80319c")
        var note = Events.note("line one\nline two \\ backslash", metadata: metadata)
        note.reason = "because: \u{1F4D0}"
        note.actor = .user(Events.user, onBehalfOf: owner)
        var service = Events.note("from a job")
        service.actor = .service("retention-job")
        return [
            try ProposedEvent(id: UUID(), created, accountID: Events.account, actor: .user(owner), requestMetadata: metadata),
            note, service,
        ]
    }

    @Test(arguments: StoreKind.sql)
    func readsEqualTheRowsDecodedAtOnce(kind: StoreKind) async throws {
        try await Fixtures.withStore(kind) { f in
            let appended = try await f.store.append(try Self.mixedEvents(), to: .account(Events.account), expected: .noStream)
            let reader = try #require(f.store as? any StoredRowReader)
            let rows = try await reader.readRows(after: 0, limit: 10)
            let eager = try rows.map { try $0.envelope() }

            let stored = try await f.store.readAll(after: 0, limit: 10, mode: .stored)
            #expect(stored.allSatisfy { $0.storedTexts != nil }, "canonical rows are read without decoding")
            #expect(stored == eager)
            #expect(stored.map(\.data) == eager.map(\.data))
            #expect(stored.map(\.requestMetadata) == eager.map(\.requestMetadata))
            #expect(stored.map(\.actor) == eager.map(\.actor))

            let opened = try await f.store.readAll(after: 0, limit: 10, mode: .opened)
            #expect(opened == appended.events)
            let keys = try await reader.existingKeys(AppendPlanner.subjects(of: eager))
            #expect(opened == eager.map { Sealer.open($0, keys: keys) })
            #expect(opened[0].requestMetadata.userAgent?.plaintext == "curl/8.0 \"quoted\"")
            #expect(try opened[0].payload(as: AccountCreated.self).ownerName.plaintext == "Zoë Ångström")
            #expect(opened[1].actor.onBehalfOf != nil)
            #expect(opened[2].actor.service == "retention-job")

            // Read as stored, the texts go back out unchanged (backups, imports).
            #expect(stored.map { EnvelopeColumns($0) }.map(\.data) == rows.map(\.data))
            #expect(stored.map { EnvelopeColumns($0) }.map(\.requestMetadata) == rows.map(\.requestMetadata))
            #expect(try await f.store.verify().ok)
        }
    }

    @Test(arguments: StoreKind.sql)
    func aKeyDeletedAfterTheReadStillErasesOnlyWhatItSealed(kind: StoreKind) async throws {
        try await Fixtures.withStore(kind) { f in
            _ = try await f.store.append(try Self.mixedEvents(), to: .account(Events.account), expected: .noStream)
            let subjects = try await f.store.keySubjects(prefix: "user:")
            #expect(try await f.store.deleteKeys(subjects) == subjects.count)
            let opened = try await f.store.readAll(after: 0, limit: 10, mode: .opened)
            let created = try opened[0].payload(as: AccountCreated.self)
            #expect(created.ownerName.content == .erased)
            #expect(created.ownerEmail.content == .erased)
            #expect(opened[0].requestMetadata.ipAddress?.plaintext == "203.0.113.9", "request metadata has its own key")
        }
    }

    @Test func oneEnvelopeReadFromManyTasksDecodesToTheSameValue() async throws {
        try await Fixtures.withStore(.sqlite) { f in
            _ = try await f.store.append(try Self.mixedEvents(), to: .account(Events.account), expected: .noStream)
            let envelope = try #require(try await f.store.readAll(after: 0, limit: 1, mode: .opened).first)
            let seen = await withTaskGroup(of: (JSONValue, RequestMetadata).self) { group in
                for _ in 0..<64 { group.addTask { (envelope.data, envelope.requestMetadata) } }
                var seen: [(JSONValue, RequestMetadata)] = []
                for await pair in group { seen.append(pair) }
                return seen
            }
            #expect(seen.count == 64)
            #expect(seen.allSatisfy { $0.0 == envelope.data && $0.1 == envelope.requestMetadata })
            #expect(envelope.requestMetadata.ipAddress?.plaintext == "203.0.113.9")
        }
    }

    @Test func aDeferredEnvelopeEncodesAndHashesLikeADecodedOne() async throws {
        try await Fixtures.withStore(.sqlite) { f in
            _ = try await f.store.append(try Self.mixedEvents(), to: .account(Events.account), expected: .noStream)
            let reader = try #require(f.store as? any StoredRowReader)
            let eager = try await reader.readRows(after: 0, limit: 10).map { try $0.envelope() }
            let deferred = try await f.store.readAll(after: 0, limit: 10, mode: .stored)
            let decoded = try JSONDecoder().decode([EventEnvelope].self, from: try JSONEncoder().encode(deferred))
            #expect(decoded == eager)
            #expect(Set(deferred) == Set(eager))
            #expect(deferred.map { EventHash.compute($0, prevHash: $0.prevHash) } == eager.map(\.hash))
        }
    }

    /// A row altered in the database to request metadata of a shape Apex never writes cannot
    /// fail a read that has already returned: it reads as none, and `verify` names the row.
    @Test(arguments: StoreKind.sql)
    func requestMetadataOfAnUnknownShapeReadsAsNoneAndVerifyNamesTheRow(kind: StoreKind) async throws {
        try await Fixtures.withStore(kind) { f in
            _ = try await f.store.append(try Self.mixedEvents(), to: .account(Events.account), expected: .noStream)
            try await f.disableAppendOnlyTriggers()
            try await f.execute(
                kind == .sqlite
                    ? #"UPDATE events SET request_metadata = '{"ip_address":5}' WHERE position = 2"#
                    : #"UPDATE events SET request_metadata = '{"ip_address":5}'::json WHERE position = 2"#)
            let events = try await f.store.readAll(after: 0, limit: 10, mode: .opened)
            #expect(events.count == 3)
            #expect(events[1].requestMetadata == .none)
            #expect(events[0].requestMetadata.ipAddress?.plaintext == "203.0.113.9")
            let report = try await f.store.verify()
            #expect(report.firstFailure?.kind == "hash_mismatch")
            #expect(report.firstFailure?.position == 2)
        }
    }

    /// Rows whose JSON is not canonical are decoded at read: valid ones read as they mean, and
    /// one that does not parse fails the read with `integrity_failure`.
    @Test(arguments: StoreKind.sql)
    func rowsThatAreNotCanonicalAreDecodedAtRead(kind: StoreKind) async throws {
        try await Fixtures.withStore(kind) { f in
            let appended = try await f.store.append(try Self.mixedEvents(), to: .account(Events.account), expected: .noStream)
            try await f.disableAppendOnlyTriggers()
            try await f.execute(
                kind == .sqlite
                    ? "UPDATE events SET data = ' ' || data || ' ' WHERE position = 2"
                    : "UPDATE events SET data = (' ' || data::text || ' ')::json WHERE position = 2")
            let events = try await f.store.readAll(after: 0, limit: 10, mode: .opened)
            #expect(events[1].storedTexts == nil)
            #expect(events == appended.events)

            try await f.execute(
                kind == .sqlite
                    ? #"UPDATE events SET actor = '{"user_id":' WHERE position = 3"#
                    : #"UPDATE events SET reason = 'x', data = '{"a":[1,2]}'::json WHERE position = 3"#)
            if kind == .sqlite {
                await #expect { try await f.store.readAll(after: 0, limit: 10, mode: .opened) } throws: { error in
                    (error as? EventStoreError)?.code == .integrityFailure
                }
            } else {
                // PostgreSQL's json columns only hold valid JSON; the change still reads.
                let altered = try await f.store.readAll(after: 0, limit: 10, mode: .opened)
                #expect(altered[2].data == ["a": [1, 2]])
            }
        }
    }

    /// An import writes an envelope read as stored with its stored texts, so it must check the
    /// hash over those texts: a row altered to carry a member decoding drops still decodes to
    /// what was hashed, but is not what was hashed.
    @Test(arguments: StoreKind.sql)
    func anImportChecksTheHashOverTheTextsItWrites(kind: StoreKind) async throws {
        try await Fixtures.withStore(.sqlite) { source in
            _ = try await source.store.append(Events.notes(2), to: .project(UUID()), expected: .noStream)
            let intact = try await source.store.readAll(after: 0, limit: 10, mode: .stored)
            try await source.disableAppendOnlyTriggers()
            try await source.execute(#"UPDATE events SET actor = '{"extra":1,' || substr(actor, 2) WHERE position = 2"#)
            let altered = try await source.store.readAll(after: 0, limit: 10, mode: .stored)
            #expect(altered[1].storedTexts?.actor.hasPrefix(#"{"extra":1,"#) == true)
            #expect(altered[1].actor == intact[1].actor, "decoding drops the member")
            try await Fixtures.withStore(kind) { target in
                await #expect { try await target.store.importStored(altered) } throws: { error in
                    (error as? EventStoreError)?.code == .integrityFailure
                }
                #expect(try await target.store.headPosition() == 0, "nothing is half-written")
                try await target.store.importStored(intact)
                #expect(try await target.store.verify().ok)
            }
        }
    }
}

/// Finding personal data's subjects in stored text while checking it is canonical, without parsing it.
@Suite("Subjects found in canonical text")
struct SubjectScanTests {
    @Test func findsWhatDecodingFinds() throws {
        var rng = SystemRandomNumberGenerator()
        for round in 0..<300 {
            let value = Self.randomValue(depth: 0, rng: &rng)
            var collected = PersonalSubjects()
            let text = CanonicalJSON.string(value)
            #expect(CanonicalJSON.isCanonical(text, personalSubjects: &collected))
            let scanned = collected.all
            // Every subject whose key opening needs is found; anything else found is a `pii`
            // member's string (an erased value's, or one in an object that is not a personal
            // value: a key fetched that opening does not use).
            #expect(Self.keyedSubjects(value).isSubset(of: scanned), "round \(round): \(text)")
            #expect(scanned == Self.piiStrings(value), "round \(round): \(text)")
        }
    }

    @Test func aSubjectWithEscapesIsFoundUnescaped() {
        var subjects = PersonalSubjects()
        let text = CanonicalJSON.string(["x": Personal("v", subject: "user:\"odd\\\n\u{1}").json])
        #expect(CanonicalJSON.isCanonical(text, personalSubjects: &subjects))
        #expect(subjects.all == ["user:\"odd\\\n\u{1}"])
    }

    @Test func aTextThatIsNotCanonicalFails() {
        var subjects = PersonalSubjects()
        #expect(!CanonicalJSON.isCanonical(#"{"pii":"user:a","sealed":"x"} "#, personalSubjects: &subjects))
        #expect(subjects.all.isSubset(of: ["user:a"]), "at most the strings it holds")
    }

    @Test func subjectsCollectOverManyTextsRepeatsAndAll() {
        var subjects = PersonalSubjects()
        let texts = ["user:a", "user:a", "user:b", "user:a", "meta:x:2026-11", "user:b"].map {
            CanonicalJSON.string(["ip": Personal(subject: $0, content: .sealed("c2VhbGVk")).json, "ua": Personal(subject: $0, content: .sealed("eA==")).json])
        }
        for text in texts { #expect(CanonicalJSON.isCanonical(text, personalSubjects: &subjects)) }
        #expect(subjects.all == ["user:a", "user:b", "meta:x:2026-11"])
    }

    @Test func textThatOnlyLooksLikeAPersonalValueInsideAStringIsNotOne() {
        var subjects = PersonalSubjects()
        let text = CanonicalJSON.string(["note": .string(#"{"pii":"user:1","value":"x"}"#)])
        #expect(CanonicalJSON.isCanonical(text, personalSubjects: &subjects))
        #expect(subjects.all.isEmpty)
    }

    static let subjectPool = ["user:a", "user:b", "meta:acct:2026-11", "user:c"]

    static func randomValue(depth: Int, rng: inout SystemRandomNumberGenerator) -> JSONValue {
        let pick = Int.random(in: 0..<(depth > 3 ? 4 : 7), using: &rng)
        switch pick {
        case 0: return .string(["", "pii", #"{"pii":"user:z"}"#, "é\n"].randomElement(using: &rng)!)
        case 1: return .number(Double(Int.random(in: -5...5, using: &rng)))
        case 2: return [.null, .bool(true)].randomElement(using: &rng)!
        case 3:
            let subject = subjectPool.randomElement(using: &rng)!
            let content: Personal.Content = [.plain("v"), .sealed("c2VhbGVk"), .erased].randomElement(using: &rng)!
            return Personal(subject: subject, content: content).json
        case 4: return .array((0..<Int.random(in: 0...3, using: &rng)).map { _ in randomValue(depth: depth + 1, rng: &rng) })
        default:
            var members: [String: JSONValue] = [:]
            for key in ["a", "pii", "value", "sealed", "z"].shuffled(using: &rng).prefix(Int.random(in: 0...3, using: &rng)) {
                members[key] = randomValue(depth: depth + 1, rng: &rng)
            }
            return .object(members)
        }
    }

    /// Subjects of plaintext or sealed values: the ones whose keys opening uses.
    static func keyedSubjects(_ value: JSONValue) -> Set<String> {
        personal(value).filter { $0.content != .erased }.reduce(into: []) { $0.insert($1.subject) }
    }

    /// Every string held by a `pii` member, at any depth.
    static func piiStrings(_ value: JSONValue) -> Set<String> {
        switch value {
        case .object(let members):
            var found = members.values.reduce(into: Set<String>()) { $0.formUnion(piiStrings($1)) }
            if case .string(let s)? = members["pii"] { found.insert(s) }
            return found
        case .array(let items): return items.reduce(into: []) { $0.formUnion(piiStrings($1)) }
        default: return []
        }
    }

    static func personal(_ value: JSONValue) -> [Personal] {
        if let p = Personal(json: value) { return [p] }
        switch value {
        case .object(let members): return members.values.flatMap(personal)
        case .array(let items): return items.flatMap(personal)
        default: return []
        }
    }
}
