import ApexDomain
import ApexServer
import ApexStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// Repeated identical denials are one durable event per window plus one with their count
/// (security review L8): the first is written before the answer, the repeats are counted and
/// written when the window closes, at the latest when the server stops.
@Suite struct DenialCoalescingTests {
    @Test(arguments: StoreKind.allCases)
    func repeatedIdenticalDenialsAreOneEventAndACount(_ kind: StoreKind) async throws {
        try await World.with(kind, configure: { $0.denialWindow = .seconds(3600) }) { world in
            let before = try await world.accountVersion()
            try await world.test { client in
                for _ in 0..<25 {
                    expectProblem(try await client.call(.get, "/v1/audit/events", as: world.token("client")), 403, "role_forbids")
                }
                // Another action or another caller is another denial.
                expectProblem(try await client.call(.get, "/v1/users", as: world.token("client")), 403, "role_forbids")
                expectProblem(try await client.call(.get, "/v1/audit/events", as: world.token("estimator")), 403, "role_forbids")
            }
            let first = try await world.denials(after: before)
            #expect(first.count == 3, "\(first.map(\.data))")
            #expect(first.allSatisfy { $0.data["count"] == nil })

            // The window's close (here forced, as at shutdown) writes the 24 repeats as one event.
            await world.api.flushDenials()
            let all = try await world.denials(after: before)
            try #require(all.count == 4, "\(all.map(\.data))")
            let summary = all[3]
            #expect(summary.data["count"] == 24)
            #expect(summary.data["resource"] == first[0].data["resource"])
            #expect(summary.data["action"] == first[0].data["action"])
            #expect(summary.actor.userID == world.user("client"))
            // Flushing again writes nothing more.
            await world.api.flushDenials()
            #expect(try await world.denials(after: before).count == 4)
        }
    }

    /// After the window a repeat is written at once again, and the previous window's count with it.
    @Test func aDenialAfterTheWindowIsWrittenAtOnce() async throws {
        // The window is long enough for three denied GETs on a busy machine, short enough to wait out.
        try await World.with(configure: { $0.denialWindow = .milliseconds(1500) }) { world in
            let before = try await world.accountVersion()
            try await world.test { client in
                for _ in 0..<3 { _ = try await client.call(.get, "/v1/audit/events", as: world.token("client")) }
                try await Task.sleep(for: .milliseconds(1800))
                _ = try await client.call(.get, "/v1/audit/events", as: world.token("client"))
            }
            let denials = try await world.denials(after: before)
            #expect(denials.map { $0.data["count"] } == [nil, 2, nil], "\(denials.map(\.data))")
        }
    }

    /// A window of zero turns coalescing off: every denial is its own event.
    @Test func aZeroWindowRecordsEveryDenial() async throws {
        try await World.with(configure: { $0.denialWindow = .zero }) { world in
            let before = try await world.accountVersion()
            try await world.test { client in
                for _ in 0..<3 { _ = try await client.call(.get, "/v1/audit/events", as: world.token("client")) }
            }
            #expect(try await world.denials(after: before).count == 3)
        }
    }
}
