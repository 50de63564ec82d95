import ApexDomain
import ApexStore
import ApexTestSupport
import Foundation
import GRDB
import Testing

/// `apex-cli consumers` lists each consumer's position, lag and last error, and
/// `apex-cli projections rebuild NAME` resets a consumer to 0 (or recomputes an inline read
/// model); an unknown name is the coded error `unknown_consumer`, exit non-zero, nothing changed.
@Suite("apex-cli consumers and projections rebuild")
struct ConsumerCommandTests {
    @Test(arguments: ForensicCommandTests.Kind.allCases)
    func consumersListsPositionsAndRebuildResetsOne(kind: ForensicCommandTests.Kind) async throws {
        try await ForensicCommandTests.withScenario(kind) { s in
            let head = try await EventStores.withStore(url: s.url) { store in
                #expect(try await store.advanceConsumer("webhooks", to: 4, from: 0))
                #expect(try await store.advanceConsumer("search", to: 9, from: 0))
                try await store.recordConsumerError("webhooks", "endpoint answered 503\nretrying")
                return try await store.headPosition()
            }
            #expect(head == 11)

            let listed = try await s.cli("consumers", "--json")
            #expect(listed.status == 0, "\(listed)")
            let json = try CLI.object(listed.stdout)
            #expect(json["head"] as? Int == 11)
            // The server's own consumers are listed at 0 until they first run (never saved): set aside.
            let rows = try #require(json["consumers"] as? [[String: Any]]).filter { !($0["updated_at"] is NSNull) }
            #expect(rows.map { $0["name"] as? String } == ["search", "webhooks"])
            #expect(rows.map { $0["position"] as? Int } == [9, 4])
            #expect(rows.map { $0["lag"] as? Int } == [2, 7])
            #expect(rows[0]["last_error"] is NSNull)
            #expect(rows[1]["last_error"] as? String == "endpoint answered 503\nretrying")
            #expect((rows[1]["last_error_at"] as? String)?.hasSuffix("Z") == true)
            #expect((rows[0]["updated_at"] as? String)?.hasSuffix("Z") == true)

            let text = try await s.cli("consumers")
            #expect(text.status == 0, "\(text)")
            let saved = text.stdout.split(separator: "\n").filter { $0.split(separator: "\t").dropFirst().first != "0" }.joined(separator: "\n")
            #expect(saved == "NAME\tPOSITION\tLAG\tLAST ERROR\nsearch\t9\t2\t-\nwebhooks\t4\t7\tendpoint answered 503 retrying", "\(text)")

            let rebuilt = try await s.cli("projections", "rebuild", "search", "--json")
            #expect(rebuilt.status == 0, "\(rebuilt)")
            let answer = try CLI.object(rebuilt.stdout)
            #expect(answer["name"] as? String == "search" && answer["kind"] as? String == "consumer" && answer["replays"] as? Int == 11)
            let after = try await EventStores.withStore(url: s.url) { store in try await store.consumerPositions() }
            #expect(after.map(\.position) == [0, 4])
            let rebuiltText = try await s.cli("projections", "rebuild", "webhooks")
            #expect(rebuiltText.status == 0 && rebuiltText.stdout == "reset consumer webhooks to position 0: it replays 11 events when it next runs\n", "\(rebuiltText)")
        }
    }

    @Test(arguments: ForensicCommandTests.Kind.allCases)
    func anUnknownNameIsACodedErrorAndChangesNothing(kind: ForensicCommandTests.Kind) async throws {
        try await ForensicCommandTests.withScenario(kind) { s in
            try await EventStores.withStore(url: s.url) { store in _ = try await store.advanceConsumer("webhooks", to: 3, from: 0) }
            let json = try await s.cli("projections", "rebuild", "webhook", "--json")
            #expect(json.status != 0, "\(json)")
            let error = try #require(try CLI.object(json.stdout)["error"] as? [String: Any])
            #expect(error["code"] as? String == "unknown_consumer")
            // The known names: the server's consumers (ServerConsumers.names), the inline read model, and the saved one.
            let message = error["message"] as? String ?? ""
            #expect(message.contains("known: ") && message.contains("projects") && message.contains("search") && message.contains("webhooks"), "\(error)")
            let text = try await s.cli("projections", "rebuild", "nope\u{1B}[31m")
            #expect(text.status != 0 && text.stderr.contains("unknown_consumer") && !text.stderr.contains("\u{1B}"), "\(text)")
            let positions = try await EventStores.withStore(url: s.url) { store in try await store.consumerPositions() }
            #expect(positions.map(\.name) == ["webhooks"] && positions.map(\.position) == [3])
        }
    }

    @Test(arguments: ForensicCommandTests.Kind.allCases)
    func rebuildingTheInlineReadModelRecomputesIt(kind: ForensicCommandTests.Kind) async throws {
        try await ForensicCommandTests.withScenario(kind) { s in
            let before = try await EventStores.withStore(url: s.url, projections: [ProjectListProjection()]) { store in
                try await store.projectionDocuments(ProjectListProjection(), partition: s.accountID.lowercased)
            }
            #expect(before.count == 2)
            // A read model damaged behind the store's back (its position still at the head) is
            // served as it is until rebuilt.
            try await Self.execute(s, kind: kind, "DELETE FROM read_models")
            let damaged = try await EventStores.withStore(url: s.url, projections: [ProjectListProjection()]) { store in
                try await store.projectionDocuments(ProjectListProjection(), partition: s.accountID.lowercased)
            }
            #expect(damaged.isEmpty)
            let rebuilt = try await s.cli("projections", "rebuild", "projects", "--json")
            #expect(rebuilt.status == 0, "\(rebuilt)")
            #expect(try CLI.object(rebuilt.stdout)["kind"] as? String == "projection")
            let after = try await EventStores.withStore(url: s.url, projections: [ProjectListProjection()]) { store in
                try await store.projectionDocuments(ProjectListProjection(), partition: s.accountID.lowercased)
            }
            #expect(after == before)
            let listed = try CLI.object(try await s.cli("consumers", "--json").stdout)
            // Only the server's own consumers, never run: nothing saved.
            let consumers = try #require(listed["consumers"] as? [[String: Any]])
            #expect(consumers.contains { $0["name"] as? String == "search" } && consumers.contains { $0["name"] as? String == "webhooks" }, "\(consumers)")
            #expect(consumers.allSatisfy { $0["updated_at"] is NSNull && $0["position"] as? Int == 0 })
        }
    }

    /// Runs `sql` on the scenario's database, past the store.
    static func execute(_ s: Scenario, kind: ForensicCommandTests.Kind, _ sql: String) async throws {
        switch kind {
        case .sqlite:
            let queue = try DatabaseQueue(path: s.path)
            try await queue.write { db in try db.execute(sql: sql) }
            try queue.close()
        case .postgres:
            try await TestPostgres.Database(name: String(s.url.split(separator: "/").last ?? "")).execute(sql)
        }
    }
}
