import ApexDomain
import ApexStore
import Foundation
import Testing

@Suite("Conformance: projections")
struct ConformanceProjectionTests {
    static let other = UUID(uuidString: "00000000-0000-4000-8000-0000000000cc")!

    @Test(arguments: StoreKind.allCases)
    func theProjectListIsTheReplayOfEachProjectStreamPartitionedByAccount(kind: StoreKind) async throws {
        try await Fixtures.withStore(kind, projections: [ProjectListProjection()]) { f in
            let a = UUID(), b = UUID(), c = UUID()
            let writer = ProjectWriter(store: f.store)
            try await writer.run(a, .create(projectID: a, fields: ProjectFields(name: "Main St pylon", tags: ["pylon"])))
            try await writer.run(a, .update(changes: ["name": "Main St pylon sign", "site": ["city": "Austin", "state": "TX"]]))
            try await writer.run(a, .changeStatus(to: .estimating, reason: nil))
            try await writer.run(b, .create(projectID: b, fields: ProjectFields(name: "Monument sign")))
            try await writer.run(c, .create(projectID: c, fields: ProjectFields(name: "Elsewhere")), account: Self.other)
            try await writer.run(c, .changeStatus(to: .archived, reason: "client went away"), account: Self.other)
            // Events of other streams in the same account touch no project document.
            _ = try await f.store.append([Events.note("not a project")], to: .account(Events.account), expected: .noStream)

            let docs = try await f.store.projectionDocuments(ProjectListProjection(), partition: Events.account.lowercased)
            #expect(Set(docs.keys) == [a.lowercased, b.lowercased])
            let states = try ProjectListProjection.states(docs)
            for id in [a, b] {
                let replayed = try ProjectState.replay(try await f.store.readStream(.project(id)))
                #expect(states.contains(replayed), "the read model of \(id) is not the replay of its stream")
            }
            let projectA = try #require(states.first { $0.id == a })
            #expect(projectA.fields.name == "Main St pylon sign")
            #expect(projectA.fields.site?.city == "Austin")
            #expect(projectA.status == .estimating)
            #expect(projectA.version == 3)

            let otherDocs = try await f.store.projectionDocuments(ProjectListProjection(), partition: Self.other.lowercased)
            #expect(Array(otherDocs.keys) == [c.lowercased])
            #expect(try ProjectListProjection.states(otherDocs) == [try ProjectState.replay(try await f.store.readStream(.project(c)))])
            #expect(try await f.store.projectionDocuments(ProjectListProjection(), partition: UUID().lowercased).isEmpty)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func rebuildingFromScratchYieldsTheSameDocuments(kind: StoreKind) async throws {
        try await Fixtures.withStore(kind, projections: [ProjectListProjection()]) { f in
            let writer = ProjectWriter(store: f.store)
            for n in 0..<3 {
                let id = UUID()
                try await writer.run(id, .create(projectID: id, fields: ProjectFields(name: "Sign \(n)")))
                try await writer.run(id, .update(changes: ["description": .string("revision \(n)")]))
            }
            let other = UUID()
            try await writer.run(other, .create(projectID: other, fields: ProjectFields(name: "Other")), account: Self.other)
            let partitions = [Events.account.lowercased, Self.other.lowercased]
            var inline: [String: [String: JSONValue]] = [:]
            for p in partitions { inline[p] = try await f.store.projectionDocuments(ProjectListProjection(), partition: p) }
            #expect(inline[Events.account.lowercased]?.count == 3)

            try await f.store.rebuildProjection(ProjectListProjection())
            for p in partitions {
                #expect(try await f.store.projectionDocuments(ProjectListProjection(), partition: p) == inline[p])
            }
            // Rebuilding again changes nothing either (no event is folded in twice).
            try await f.store.rebuildProjection(ProjectListProjection())
            for p in partitions {
                #expect(try await f.store.projectionDocuments(ProjectListProjection(), partition: p) == inline[p])
            }
        }
    }

    @Test(arguments: StoreKind.allCases)
    func aReadModelCatchesUpWithEventsAppendedWithoutIt(kind: StoreKind) async throws {
        try await Fixtures.withStore(kind) { f in
            let writer = ProjectWriter(store: f.store)
            let id = UUID()
            try await writer.run(id, .create(projectID: id, fields: ProjectFields(name: "Late read model")))
            try await writer.run(id, .changeStatus(to: .estimating, reason: nil))
            // The store was opened without the projection; reading it folds what it missed.
            let expected = [try ProjectState.replay(try await f.store.readStream(.project(id)))]
            let docs = try await f.store.projectionDocuments(ProjectListProjection(), partition: Events.account.lowercased)
            #expect(try ProjectListProjection.states(docs) == expected)
            try await writer.run(id, .update(changes: ["name": "Later still"]))
            let after = try await f.store.projectionDocuments(ProjectListProjection(), partition: Events.account.lowercased)
            #expect(try ProjectListProjection.states(after).map(\.fields.name) == ["Later still"])

            try await f.store.rebuildProjection(ProjectListProjection())
            let rebuilt = try await f.store.projectionDocuments(ProjectListProjection(), partition: Events.account.lowercased)
            #expect(rebuilt == after)
        }
    }

    @Test(arguments: StoreKind.sql)
    func aReaderSeesProjectEventsThatAnotherWriterAppendedWithoutTheProjection(kind: StoreKind) async throws {
        try await Fixtures.withStore(kind, projections: [ProjectListProjection()]) { f in
            let id = UUID()
            try await ProjectWriter(store: f.store).run(id, .create(projectID: id, fields: ProjectFields(name: "Shared")))
            // A second process (here: a second store on the same database) that keeps no read model.
            try await EventStores.withStore(url: f.url!, logger: Fixtures.logger) { other in
                try await ProjectWriter(store: other).run(id, .update(changes: ["name": "Renamed elsewhere"]))
            }
            let docs = try await f.store.projectionDocuments(ProjectListProjection(), partition: Events.account.lowercased)
            #expect(try ProjectListProjection.states(docs).map(\.fields.name) == ["Renamed elsewhere"])
            #expect(try ProjectListProjection.states(docs).map(\.version) == [2])
        }
    }

    @Test(arguments: StoreKind.allCases)
    func aFailedAppendLeavesTheReadModelUnchanged(kind: StoreKind) async throws {
        try await Fixtures.withStore(kind, projections: [ProjectListProjection()]) { f in
            let writer = ProjectWriter(store: f.store)
            let id = UUID()
            try await writer.run(id, .create(projectID: id, fields: ProjectFields(name: "Stable")))
            let partition = Events.account.lowercased
            let before = try await f.store.projectionDocuments(ProjectListProjection(), partition: partition)
            let head = try await f.store.headPosition()

            // A version conflict: the stream is at 1.
            let state = try ProjectState.replay(try await f.store.readStream(.project(id)))
            let rename = try ProjectDecider.decide(.update(changes: ["name": "Renamed"]), state: state, context: DecisionContext(now: Date()))
                .map { $0.proposed(id: UUID(), accountID: Events.account, actor: .user(Events.user)) }
            let conflict = try await #require(throws: EventStoreError.self) {
                try await f.store.append(rename, to: .project(id), expected: .noStream)
            }
            #expect(conflict.code == .versionConflict)
            #expect(try await f.store.projectionDocuments(ProjectListProjection(), partition: partition) == before)

            // A batch the projection cannot fold (an unknown project event after a valid one):
            // neither the events nor the read-model change are kept.
            let refused = await #expect(throws: DomainError.self) {
                try await f.store.append(rename + [Events.note("not a project event")], to: .project(id), expected: .exact(1))
            }
            // The projection's own error, as every adapter reports it: not "store unavailable".
            #expect(refused?.code == .unknownEventType, "\(String(describing: refused))")
            #expect(try await f.store.projectionDocuments(ProjectListProjection(), partition: partition) == before)
            #expect(try await f.store.headPosition() == head)
            #expect(try await f.store.streamVersion(.project(id)) == 1)

            // The same rename on its own goes through, and the read model follows.
            _ = try await f.store.append(rename, to: .project(id), expected: .exact(1))
            let after = try ProjectListProjection.states(try await f.store.projectionDocuments(ProjectListProjection(), partition: partition))
            #expect(after.map(\.fields.name) == ["Renamed"])
            #expect(try await f.store.verify().ok)
        }
    }

    @Test
    func reopeningAnSQLiteFileWithAnEmptyReadModelCatchesUp() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("apex-test-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("apex.sqlite").path
        let id = UUID()

        // Written without projections: events, no read model.
        let plain = try SQLiteEventStore(path: path)
        var writer = ProjectWriter(store: plain)
        try await writer.run(id, .create(projectID: id, fields: ProjectFields(name: "Written before")))
        try await writer.run(id, .update(changes: ["tags": ["pylon", "led"]]))
        try await plain.close()

        var configuration = SQLiteEventStore.Configuration()
        configuration.projections = [ProjectListProjection()]
        let reopened = try SQLiteEventStore(path: path, configuration: configuration)
        let docs = try await reopened.projectionDocuments(ProjectListProjection(), partition: Events.account.lowercased)
        let replayed = try ProjectState.replay(try await reopened.readStream(.project(id)))
        #expect(try ProjectListProjection.states(docs) == [replayed])
        #expect(replayed.fields.tags == ["led", "pylon"])

        // Later appends fold in once, on top of the caught-up document.
        writer = ProjectWriter(store: reopened)
        try await writer.run(id, .changeStatus(to: .estimating, reason: nil))
        let updated = try ProjectListProjection.states(try await reopened.projectionDocuments(ProjectListProjection(), partition: Events.account.lowercased))
        #expect(updated.map(\.version) == [3])
        try await reopened.close()
    }

    @Test
    func aProjectionAddedLaterToAnSQLiteFileCatchesUpBesideAnExistingOne() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("apex-test-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("apex.sqlite").path
        let id = UUID()

        var first = SQLiteEventStore.Configuration()
        first.projections = [EventCountProjection()]
        let store = try SQLiteEventStore(path: path, configuration: first)
        try await ProjectWriter(store: store).run(id, .create(projectID: id, fields: ProjectFields(name: "Counted")))
        try await store.close()

        var both = SQLiteEventStore.Configuration()
        both.projections = [EventCountProjection(), ProjectListProjection()]
        let reopened = try SQLiteEventStore(path: path, configuration: both)
        let docs = try await reopened.projectionDocuments(ProjectListProjection(), partition: Events.account.lowercased)
        #expect(try ProjectListProjection.states(docs) == [try ProjectState.replay(try await reopened.readStream(.project(id)))])
        // The projection that was kept inline all along is not folded in a second time.
        #expect(try await reopened.projectionDocuments(EventCountProjection(), partition: "all") == ["events": 1])
        try await reopened.close()
    }
}

/// Decides project commands on the replayed state and appends the drafts, as the server does.
struct ProjectWriter {
    let store: any EventStore
    var now = Date()

    func run(_ id: UUID, _ command: ProjectCommand, account: UUID = Events.account) async throws {
        let events = try await store.readStream(.project(id))
        let state = try ProjectState.replay(events)
        let drafts = try ProjectDecider.decide(command, state: state, context: DecisionContext(now: now))
        let proposed = drafts.map { $0.proposed(id: UUID(), accountID: account, actor: .user(Events.user)) }
        _ = try await store.append(proposed, to: .project(id), expected: state.version == 0 ? .noStream : .exact(state.version))
    }
}

/// A second read model for tests: one counter of every event in the store.
struct EventCountProjection: Projection {
    let name = "event_count"

    func target(of event: EventEnvelope) -> (partition: String, key: String)? { ("all", "events") }

    func apply(_ event: EventEnvelope, to document: JSONValue?) throws -> JSONValue? {
        guard case .number(let n)? = document else { return .number(1) }
        return .number(n + 1)
    }
}
