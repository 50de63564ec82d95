import ApexDomain
import ApexLive
import ApexMetrics
import ApexServer
import ApexStore
import ApexTestSupport
import Foundation
import Testing

/// Live updates over a real socket, read with AsyncHTTPClient as a browser's `EventSource`
/// would: resuming, who sees what, heartbeats, shutdown (``LiveServer``).
@Suite("Live streams")
struct LiveStreamTests {
    @Test(arguments: StoreKind.allCases)
    func resumingWithLastEventIDLosesAndRepeatsNothing(_ kind: StoreKind) async throws {
        try await World.with(kind, configure: { $0.live.heartbeat = .milliseconds(100) }) { world in
            try await LiveServer.with(world.api) { server in
                let draft = world.project("draft"), own = world.project("own")
                let first = try await server.stream("/v1/stream", as: world.token("owner"))
                #expect(first.snapshot.status == 200)
                #expect(first.snapshot.contentType == "text/event-stream")
                for project in [draft, own, draft] { try await server.edit(project, as: world.token("owner")) }
                let seen = try await world.store.headPosition()
                try await first.waitFor(position: seen)
                try await first.waitUntil { $0.comments.contains("heartbeat") }
                await first.close()

                // Appended while nobody listens.
                for project in [own, draft, own] { try await server.edit(project, as: world.token("owner")) }
                let resumed = try await server.stream("/v1/stream", as: world.token("owner"), lastEventID: String(seen))
                try await server.edit(draft, as: world.token("owner"))
                let head = try await world.store.headPosition()
                try await resumed.waitFor(position: head)
                let expected = try await world.store.readAccount(world.account, after: seen, limit: 100, mode: .opened)
                #expect(resumed.events.compactMap(\.position) == expected.map(\.position), "strictly after \(seen), each once, in order")
                #expect(expected.count == 4)
                // Each event as the audit trail shows it to an owner.
                let last = try #require(resumed.events.last)
                #expect(last.event == "project.updated")
                #expect(last.json?["stream"] == .string("project-\(draft.lowercased)"))
                #expect(last.json?["request_metadata"]?["ip_address"] == "127.0.0.1")
                #expect(last.json?["actor"]?["name"] == "Olive Owner")
                // And everything the first stream saw came before.
                #expect(first.events.compactMap(\.position).allSatisfy { $0 <= seen })
                #expect(first.events.count == 3)

                // `?from=` is the same resume for clients that cannot set the header.
                let fromQuery = try await server.stream("/v1/stream?from=\(seen)", as: world.token("owner"))
                try await fromQuery.waitFor(position: head)
                #expect(fromQuery.events.compactMap(\.position) == expected.map(\.position))
                await resumed.close()
                await fromQuery.close()
            }
        }
    }

    /// A project stream catches up from its own stream (found by bisection on positions), so
    /// every resume point, interleaved with other projects' events, gives exactly the events after it.
    @Test(arguments: StoreKind.allCases)
    func aProjectStreamResumesFromAnyPositionWithItsOwnEventsOnly(_ kind: StoreKind) async throws {
        try await World.with(kind) { world in
            try await LiveServer.with(world.api) { server in
                let draft = world.project("draft"), own = world.project("own")
                for project in [draft, own, own, draft, own, draft, draft] { try await server.edit(project, as: world.token("owner")) }
                let head = try await world.store.headPosition()
                var all = try await world.store.readStream(.project(draft), from: 1, limit: 1000, mode: .stored).map(\.position)
                #expect(all.count >= 5)
                for resume in [0] + Array(Set(all + all.map { $0 - 1 } + [head])).sorted() {
                    let stream = try await server.stream("/v1/projects/\(draft.lowercased)/stream?from=\(resume)", as: world.token("owner"))
                    let expected = all.filter { $0 > resume }
                    if let last = expected.last { try await stream.waitFor(position: last) }
                    try await server.edit(draft, as: world.token("owner"))
                    let now = try await world.store.headPosition()
                    try await stream.waitFor(position: now)
                    #expect(stream.events.compactMap(\.position) == expected + [now], "resumed after \(resume)")
                    await stream.close()
                    all.append(now)
                }
            }
        }
    }

    @Test(arguments: StoreKind.allCases)
    func fabricatorsAndClientsSeeOnlyProjectsTheyMayView(_ kind: StoreKind) async throws {
        try await World.with(kind) { world in
            let other = try await world.otherAccount()
            try await LiveServer.with(world.api) { server in
                let (draft, approved, own) = (world.project("draft"), world.project("approved"), world.project("own"))
                let fabricator = try await server.stream("/v1/stream", as: world.token("fabricator"))
                let client = try await server.stream("/v1/stream", as: world.token("client"))
                let project = try await server.stream("/v1/projects/\(approved.lowercased)/stream", as: world.token("fabricator"))
                for id in [draft, own, approved, draft] { try await server.edit(id, as: world.token("owner")) }
                try await server.edit(other.project, as: other.token)
                try await server.edit(approved, as: world.token("owner"))
                let lastApproved = try await world.store.headPosition()
                try await server.edit(own, as: world.token("owner"))
                let lastOwn = try await world.store.headPosition()
                try await fabricator.waitFor(position: lastApproved)
                try await project.waitFor(position: lastApproved)
                try await client.waitFor(position: lastOwn)
                let approvedStream = "project-\(approved.lowercased)", ownStream = "project-\(own.lowercased)"
                #expect(fabricator.events.count == 2 && fabricator.events.allSatisfy { $0.json?["stream"] == .string(approvedStream) })
                #expect(project.events.count == 2 && project.events.allSatisfy { $0.json?["stream"] == .string(approvedStream) })
                #expect(client.events.count == 2 && client.events.allSatisfy { $0.json?["stream"] == .string(ownStream) })
                // Personal data is for owners and admins: the address and actor's name are not shown.
                #expect(fabricator.events.last?.json?["request_metadata"]?["ip_address"] == .null)
                #expect(fabricator.events.last?.json?["actor"]?["name"] == nil)

                // Catching up from the start applies the same rule to the whole past.
                let past = try await server.stream("/v1/stream?from=0", as: world.token("fabricator"))
                try await past.waitFor(position: lastApproved)
                #expect(past.events.count > 2)
                #expect(past.events.allSatisfy { $0.json?["stream"] == .string(approvedStream) })
                for stream in [fabricator, client, project, past] { await stream.close() }
            }
        }
    }

    @Test func anotherAccountsProjectStreamIsNotFound() async throws {
        try await World.with { world in
            let other = try await world.otherAccount()
            try await LiveServer.with(world.api) { server in
                /// The refused stream's status and body.
                func refused(_ path: String, as user: String = "owner", lastEventID: String? = nil) async throws -> (Int?, String) {
                    let stream = try await server.stream(path, as: world.token(user), lastEventID: lastEventID)
                    try await stream.waitUntil { $0.ended }
                    return (stream.snapshot.status, stream.snapshot.body)
                }
                let hidden = try await refused("/v1/projects/\(other.project.lowercased)/stream")
                #expect(hidden.0 == 404 && hidden.1.contains("\"code\":\"not_found\""))
                #expect(try await refused("/v1/projects/\(UUID().lowercased)/stream").0 == 404)
                // A client may not open another client's project (here: one with no client).
                #expect(try await refused("/v1/projects/\(world.project("draft").lowercased)/stream", as: "client").0 == 404)
                let badID = try await refused("/v1/stream", lastEventID: "12x")
                #expect(badID.0 == 400 && badID.1.contains("invalid_header"))
                #expect(try await refused("/v1/stream?from=-1").0 == 400)
            }
        }
    }

    @Test(arguments: StoreKind.allCases)
    func twoHundredStreamsAllReceiveAnAppend(_ kind: StoreKind) async throws {
        try await World.with(kind) { world in
            try await LiveServer.with(world.api) { server in
                var streams: [SSEStream] = []
                for _ in 0..<200 { streams.append(try await server.stream("/v1/stream", as: world.token("owner"))) }
                #expect(streams.allSatisfy { $0.snapshot.status == 200 })
                #expect(await world.api.metrics.scrape().contains("apex_live_streams 200"))
                let started = ContinuousClock.now
                try await server.edit(world.project("draft"), as: world.token("owner"))
                let head = try await world.store.headPosition()
                for stream in streams { try await stream.waitFor(position: head, timeout: .seconds(60)) }
                let took = ContinuousClock.now - started
                print("live: 200 streams on \(kind) received one append within \(took) of the PATCH being sent")
                #expect(streams.allSatisfy { $0.events.count == 1 })
                for stream in streams { await stream.close() }
            }
        }
    }

    @Test func theIdleTimeoutDoesNotCloseAnOpenStream() async throws {
        try await World.with(configure: { $0.idleTimeout = .milliseconds(200) }) { world in
            try await LiveServer.with(world.api) { server in
                let stream = try await server.stream("/v1/stream", as: world.token("owner"))
                try await Task.sleep(for: .seconds(1))
                #expect(!stream.snapshot.ended)
                try await server.edit(world.project("draft"), as: world.token("owner"))
                try await stream.waitFor(position: try await world.store.headPosition())
                await stream.close()
            }
        }
    }

    @Test(.timeLimit(.minutes(1))) func gracefulShutdownEndsOpenStreams() async throws {
        try await World.with { world in
            var open: SSEStream?
            try await LiveServer.with(world.api) { server in
                open = try await server.stream("/v1/stream", as: world.token("owner"))
            }
            // LiveServer returned: its graceful shutdown finished with the stream open.
            let stream = try #require(open)
            try await stream.waitUntil(timeout: .seconds(10)) { $0.ended }
        }
    }
}
