import ApexAnalytics
import ApexDomain
import ApexStore
import ApexTestSupport
import Foundation
import Logging
import Testing

/// `apex-cli projections rebuild analytics` resets the usage consumer, and the report built by
/// replaying the log is the one the counters gave before, on both stores.
@Suite("apex-cli projections rebuild analytics")
struct AnalyticsRebuildTests {
    @Test(arguments: ForensicCommandTests.Kind.allCases)
    func aRebuildReproducesTheSameReport(kind: ForensicCommandTests.Kind) async throws {
        try await ForensicCommandTests.withScenario(kind) { s in
            let logger = Logger(label: "apex.cli.tests")
            func report() async throws -> UsageReport {
                try await EventStores.withStore(url: s.url) { store in
                    let events = try await store.readAll(after: 0, limit: 1_000, mode: .stored)
                    let days = events.map { CivilDate(containing: $0.recordedAt) }
                    let range = try UsageRange(from: days.min()!.description, to: days.max()!.description, today: days.max()!)
                    return try await UsageAnalytics(store: store, logger: logger).report(account: s.accountID, range: range, interval: .month)
                }
            }
            let before = try await report()
            let counted = before.buckets.reduce(0) { $0 + $1.events.values.reduce(0, +) }
            #expect(counted == 11, "the scenario's 11 events are counted")
            #expect(before.buckets.reduce(0) { $0 + ($1.counts[.calculationsApproved] ?? 0) } == 1)

            let rebuilt = try await s.cli("projections", "rebuild", "analytics", "--json")
            #expect(rebuilt.status == 0, "\(rebuilt)")
            #expect(try CLI.object(rebuilt.stdout)["replays"] as? Int == 11)
            let reset = try await EventStores.withStore(url: s.url) { store in try await store.consumerPositions().first { $0.name == "analytics" }?.position }
            #expect(reset == 0)
            #expect(try await report() == before)
        }
    }
}
