import ApexDomain
import ApexFiles
@testable import ApexServer
import ApexStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// Persisted snapshots through the server: a cold instance (an empty state cache) starts from the
/// project's snapshot and reads only the events after it, answering what a full replay gives; a
/// load that finds a project `snapshotInterval` events past its snapshot writes a new one.
@Suite struct ProjectSnapshotTests {
    /// Appends `count` renames to a seeded project, a hundred an append, straight to the store.
    static func grow(_ world: World, _ id: UUID, by count: Int) async throws {
        var version = try await world.projectVersion(id)
        var left = count
        while left > 0 {
            let batch = try (0..<min(100, left)).map { n in
                try ProjectUpdated(changes: ["name": .string("Pylon \(version + Int64(n) + 1)")]).draft()
                    .proposed(id: UUID(), accountID: world.account, actor: .user(world.user("owner")))
            }
            version = try await world.store.append(batch, to: .project(id), expected: .exact(version)).nextExpectedVersion
            left -= batch.count
        }
    }

    static func replayed(_ world: World, _ id: UUID) async throws -> ProjectState {
        try ProjectState.replay(try await world.store.readStream(.project(id), from: 1, limit: .max, mode: .stored))
    }

    @Test(arguments: StoreKind.allCases)
    func aColdInstanceReadsOnlyTheEventsAfterTheSnapshot(_ kind: StoreKind) async throws {
        try await World.with(kind) { world in
            let id = world.project("draft")
            let stream = StreamID.project(id)
            try await Self.grow(world, id, by: 1_000 - Int(try await world.projectVersion(id)))
            #expect(try await world.store.loadSnapshot(stream) == nil)

            // The first cold load folds all 1,000 events and, 500 or more past no snapshot, writes one.
            let first = ProxyStore(world.store)
            let warm = try await world.rebuilt(over: first)
            #expect(try await warm.api.loadProject(id)?.state == (try await Self.replayed(world, id)))
            #expect(first.eventsRead(of: stream) == 1_000)
            let snapshot = try #require(try await world.store.loadSnapshot(stream))
            #expect(snapshot.version == 1_000 && snapshot.domainVersion == ProjectState.domainVersion)
            #expect(snapshot.projectState() == (try await Self.replayed(world, id)))

            // Seven more events; a new instance answers GET from the snapshot and those seven.
            try await Self.grow(world, id, by: 7)
            let proxy = ProxyStore(world.store)
            let cold = try await world.rebuilt(over: proxy)
            let replayed = try await Self.replayed(world, id)
            try await cold.test { client in
                let reply = try await client.call(.get, "/v1/projects/\(id.lowercased)", as: world.token("owner"))
                #expect(reply.code == 200)
                #expect(reply.eTag == "\"1007\"")
                #expect(reply.headers[.apexStateHash] == replayed.stateHash)
                #expect(reply["name"]?.stringValue == "Pylon 1007")
                // The hash a write computed is the one the reads after it answer (remembered per
                // version), and both are the offline replay's.
                let patched = try await client.call(.patch, "/v1/projects/\(id.lowercased)", as: world.token("owner"), json: ["description": "hashed once"])
                let after = try await Self.replayed(world, id)
                #expect(patched.eTag == "\"1008\"" && patched.headers[.apexStateHash] == after.stateHash)
                #expect(after.stateHash != replayed.stateHash)
                for _ in 0..<2 {
                    let read = try await client.call(.get, "/v1/projects/\(id.lowercased)", as: world.token("owner"))
                    #expect(read.eTag == "\"1008\"" && read.headers[.apexStateHash] == after.stateHash)
                }
            }
            #expect(proxy.eventsRead(of: stream) == 8, "the seven, then the write's own event")
            #expect(try await cold.api.loadProject(id)?.state == (try await Self.replayed(world, id)))
            #expect(proxy.eventsRead(of: stream) == 8, "later loads are served from the cache")
            // Under the interval past the snapshot: none written.
            #expect(try await world.store.loadSnapshot(stream)?.version == 1_000)
            #expect(try await world.store.verify().ok)
        }
    }

    /// A snapshot of another domain version, or one whose state does not hash to its recorded
    /// hash, is not started from: the instance folds the whole stream and writes a good one over it.
    @Test(arguments: [ProjectState.domainVersion - 1, ProjectState.domainVersion])
    func aSnapshotOfAnotherDomainVersionOrABadHashIsDiscarded(domainVersion: Int) async throws {
        try await World.with { world in
            let id = world.project("draft")
            let stream = StreamID.project(id)
            try await Self.grow(world, id, by: 600)
            let replayed = try await Self.replayed(world, id)
            var wrong = replayed
            wrong.fields.name = "Not what the events say"
            var stale = try StateSnapshot(project: wrong, stream: stream)
            stale.domainVersion = domainVersion
            if domainVersion == ProjectState.domainVersion { stale.stateHash = replayed.stateHash }
            try await world.store.saveSnapshot(stale)

            let proxy = ProxyStore(world.store)
            let cold = try await world.rebuilt(over: proxy)
            #expect(try await cold.api.loadProject(id)?.state == replayed)
            #expect(proxy.eventsRead(of: stream) == Int(replayed.version))
            #expect(try await world.store.loadSnapshot(stream)?.projectState() == replayed)
        }
    }

    /// `snapshotInterval` 0 writes none.
    @Test func anIntervalOfZeroWritesNoSnapshot() async throws {
        try await World.with { world in
            let id = world.project("draft")
            try await Self.grow(world, id, by: 600)
            let none = try await world.rebuilt { $0.snapshotInterval = 0 }
            #expect(try await none.api.loadProject(id)?.state == (try await Self.replayed(world, id)))
            #expect(try await world.store.snapshots().isEmpty)
        }
    }

    /// The file consumers' writer (scanner, thumbnails) keeps the states it loaded: a second
    /// file event on a long project reads the events since the first, not the whole stream again.
    @Test(arguments: StoreKind.allCases)
    func theFileConsumersWriterReadsOnlyWhatIsNew(_ kind: StoreKind) async throws {
        try await World.with(kind) { world in
            let id = world.project("draft")
            let stream = StreamID.project(id)
            try await Self.grow(world, id, by: 600)
            let proxy = ProxyStore(world.store)
            let writer = ProjectFileWriter(store: proxy, service: "file-scanner")
            #expect(try await writer.state(of: id) == (try await Self.replayed(world, id)))
            let first = proxy.eventsRead(of: stream)
            #expect(first == Int(try await world.projectVersion(id)))
            try await Self.grow(world, id, by: 3)
            #expect(try await writer.state(of: id) == (try await Self.replayed(world, id)))
            #expect(proxy.eventsRead(of: stream) == first + 3)
        }
    }
}
