import ApexDomain
import ApexServer
@testable import ApexStore
import Foundation
import GRDB
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// `/v1/audit/verify` verifies the caller's account only: another account's tampering, events
/// and streams never show in it, and the tampered account's own report names the failure.
@Suite struct AuditVerifyScopeTests {
    @Test func verifyCoversTheCallersAccountOnly() async throws {
        try await World.with(.sqlite) { world in
            let rival = try await world.otherAccount()
            let rivalProject = StreamID.project(rival.project).rawValue
            // Someone with access to the database rewrites a reason in the rival's project.
            let store = try #require(world.store as? SQLiteEventStore)
            try await store.pool.write { db in
                try db.execute(sql: "DROP TRIGGER events_reject_update")
                try db.execute(sql: "UPDATE events SET reason = 'rewritten' WHERE stream_id = ? AND version = 1", arguments: [rivalProject])
            }
            let mine = try await world.store.readAccount(world.account, after: 0, limit: 10_000, mode: .stored)
            let myStreams = Set(mine.map(\.stream))
            let (ours, theirs) = try await world.test { client in
                (try await client.call(.get, "/v1/audit/verify", as: world.token("owner")),
                 try await client.call(.get, "/v1/audit/verify", as: rival.token))
            }
            #expect(ours.status == .ok, "\(ours.text)")
            #expect(ours["ok"] == true, "\(ours.text)")
            #expect(ours["events_checked"]?.numberValue == Double(mine.count))
            #expect(ours["streams_checked"]?.numberValue == Double(myStreams.count))
            #expect(ours["first_failure"] == .null)
            #expect(!ours.text.contains(rival.account.lowercased) && !ours.text.contains(rival.project.lowercased))

            #expect(theirs["ok"] == false, "\(theirs.text)")
            let failure = try #require(theirs["first_failure"])
            #expect(failure["kind"] == "hash_mismatch")
            #expect(failure["stream"] == .string(rivalProject))
            #expect(failure["version"] == 1)
            #expect(!theirs.text.contains(world.account.lowercased))
        }
    }
}
