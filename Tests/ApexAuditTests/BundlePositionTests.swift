import ApexAudit
import ApexDomain
import ApexStore
import Foundation
import Testing

/// M1: a position no `Int64` holds (1e300, beyond 2^63, fractional) in a bundle is a tampered
/// bundle, reported as such; it used to trap (`Int64(Double)`) and kill `apex-cli` with exit 132.
@Suite("Bundle positions out of range")
struct BundlePositionTests {
    static let positions: [Double] = [1e300, -1e300, 9.3e18, -9.3e18, 9_223_372_036_854_775_808, 1.5, .greatestFiniteMagnitude]

    @Test(arguments: positions)
    func anEventPositionBeyondInt64IsAFailureNotATrap(_ position: Double) async throws {
        let fixture = try await BundleFixture.make()
        let body = try #require(fixture.bodyValue.changing(["events", .index(1), "position"][...]) { _ in .number(position) })
        let result = BundleFixture.verify(BundleFixture.signed(body))
        #expect(!result.ok)
        #expect(result.failures.contains { $0.kind == "event_format" && $0.version == 2 && $0.position == nil }, "\(result.failures)")
    }

    @Test(arguments: positions)
    func aCheckpointPositionBeyondInt64IsAFailureNotATrap(_ position: Double) async throws {
        let fixture = try await BundleFixture.make()
        let body = try #require(fixture.bodyValue.changing(["checkpoints", .index(0), "position"][...]) { _ in .number(position) })
        let result = BundleFixture.verify(BundleFixture.signed(body))
        #expect(!result.ok)
        #expect(result.failures.contains { $0.kind == "checkpoint_format" }, "\(result.failures)")
        #expect(result.failures.contains { $0.kind == "checkpoint_missing" }, "no checkpoint left that covers the last event")
    }

    @Test func theUntamperedFixtureVerifies() async throws {
        let fixture = try await BundleFixture.make()
        let result = BundleFixture.verify(fixture.bytes, pinned: true)
        #expect(result.ok, "\(result.failures)")
        #expect(result.eventsChecked == 5 && result.checkpointsChecked == 1 && result.inclusionProofsChecked == 5)
        #expect(BundleFixture.verify(BundleFixture.signed(fixture.body)).ok, "re-signing the same body with the same key changes nothing")
    }
}

extension JSONStep: ExpressibleByStringLiteral {
    init(stringLiteral value: String) { self = .member(value) }
}
