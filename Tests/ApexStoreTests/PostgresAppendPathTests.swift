import ApexDomain
import ApexStore
import ApexTestSupport
import Foundation
import Testing

/// The server opens PostgreSQL with the project list kept inline; its appends must still take
/// the two-statement path (issue #17), and the documents it folds there must be the replay.
@Suite("PostgreSQL append path with read models")
struct PostgresAppendPathTests {
    /// Two stores on one database (two server processes) write eight projects at once: every
    /// project's document is the replay of its stream, the projection is at the store head, and
    /// most batches took the two-statement path.
    @Test func ownedReadModelsRideTheTwoStatementPathAndStayTheReplay() async throws {
        try await TestPostgres.withDatabase { database in
            try await EventStores.withStore(url: database.url, projections: [ProjectListProjection()], logger: Fixtures.logger) { a in
                try await EventStores.withStore(url: database.url, projections: [ProjectListProjection()], logger: Fixtures.logger) { b in
                    let projects = (0..<8).map { _ in UUID() }
                    try await withThrowingTaskGroup(of: Void.self) { group in
                        for (n, id) in projects.enumerated() {
                            let writer = ProjectWriter(store: n % 2 == 0 ? a : b)
                            group.addTask {
                                try await writer.run(id, .create(projectID: id, fields: ProjectFields(name: "Sign \(n)")))
                                for step in 0..<6 {
                                    try await writer.run(id, .update(changes: ["description": .string("step \(step)")]))
                                }
                                try await writer.run(id, .changeStatus(to: .estimating, reason: nil))
                            }
                        }
                        try await group.waitForAll()
                    }
                    // A note in the account stream changes no document and keeps the fast path.
                    _ = try await a.append([Events.note("not a project")], to: .account(Events.account), expected: .noStream)

                    let docs = try await b.projectionDocuments(ProjectListProjection(), partition: Events.account.lowercased)
                    #expect(docs.count == projects.count)
                    let states = try ProjectListProjection.states(docs)
                    for id in projects {
                        let replayed = try ProjectState.replay(try await a.readStream(.project(id)))
                        #expect(replayed.version == 8)
                        #expect(states.contains(replayed), "the read model of \(id) is not the replay of its stream")
                    }
                    // Rebuilding from the log gives the very same documents.
                    try await a.rebuildProjection(ProjectListProjection())
                    #expect(try await b.projectionDocuments(ProjectListProjection(), partition: Events.account.lowercased) == docs)

                    // Racing writers on two stores send some batches to the locked path (another
                    // store's later clock or head); some must take the two-statement one.
                    let stores = [try #require(a as? PostgresEventStore), try #require(b as? PostgresEventStore)]
                    #expect(stores.map(\.appendPaths.current.twoStatement).reduce(0, +) > 0)

                    // One writer alone: every append takes the two-statement path, and the
                    // document follows.
                    let before = stores[0].appendPaths.current
                    let writer = ProjectWriter(store: a)
                    for step in 0..<5 { try await writer.run(projects[0], .update(changes: ["description": .string("alone \(step)")])) }
                    let after = stores[0].appendPaths.current
                    #expect(after.twoStatement - before.twoStatement == 5)
                    #expect(after.locked == before.locked)
                    let alone = try await b.projectionDocuments(ProjectListProjection(), partition: Events.account.lowercased)
                    let state = try #require(try ProjectListProjection.states(alone).first { $0.id == projects[0] })
                    #expect(state == (try ProjectState.replay(try await a.readStream(.project(projects[0])))))
                    #expect(state.version == 13)
                }
            }
        }
    }

    /// A projection that shares documents between streams (a store-wide counter) keeps the
    /// locked path, and one behind the log is caught up there before the fast path resumes.
    @Test func sharedOrLaggingReadModelsTakeTheLockedPath() async throws {
        try await TestPostgres.withDatabase { database in
            try await EventStores.withStore(url: database.url, projections: [EventCountProjection()], logger: Fixtures.logger) { shared in
                _ = try await shared.append(Events.notes(2), to: .account(UUID()), expected: .noStream)
                _ = try await shared.append(Events.notes(3), to: .account(UUID()), expected: .noStream)
                let counts = try #require(shared as? PostgresEventStore).appendPaths.current
                #expect(counts.twoStatement == 0 && counts.locked == 2)
                #expect(try await shared.projectionDocuments(EventCountProjection(), partition: "all") == ["events": 5])
            }
            // Opened with the project list, which has never folded the 5 events above.
            try await EventStores.withStore(url: database.url, projections: [ProjectListProjection()], logger: Fixtures.logger) { late in
                let writer = ProjectWriter(store: late)
                let id = UUID()
                try await writer.run(id, .create(projectID: id, fields: ProjectFields(name: "Late")))  // locked: catches up
                try await writer.run(id, .update(changes: ["description": "then fast"]))  // two-statement
                let counts = try #require(late as? PostgresEventStore).appendPaths.current
                #expect(counts.locked == 1 && counts.twoStatement == 1)
                let docs = try await late.projectionDocuments(ProjectListProjection(), partition: Events.account.lowercased)
                #expect(try ProjectListProjection.states(docs) == [try ProjectState.replay(try await late.readStream(.project(id)))])
            }
        }
    }
}
