import ApexDomain
import ApexServer
import ApexStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// Probing another account's project and probing an id that names nothing leave the same trace
/// in the prober's own trail: one `access.denied` each, equal but for the resource named, so an
/// owner reading their trail learns nothing about other accounts (security review M4).
@Suite struct ConcealedProbeTests {
    @Test(arguments: StoreKind.allCases)
    func aForeignProjectAndAnAbsentOneLeaveTheSameTrace(_ kind: StoreKind) async throws {
        try await World.with(kind) { world in
            let rival = try await world.otherAccount()
            let absent = UUID()
            let before = try await world.accountVersion()
            try await world.test { client in
                for id in [rival.project, absent] {
                    expectProblem(try await client.call(.get, "/v1/projects/\(id.lowercased)", as: world.token("owner")), 404, "not_found")
                }
            }
            let denials = try await world.denials(after: before)
            try #require(denials.count == 2, "\(denials.map(\.data))")
            #expect(denials[0].data["resource"] == .string("project/\(rival.project.lowercased)"))
            #expect(denials[1].data["resource"] == .string("project/\(absent.lowercased)"))
            func withoutResource(_ e: EventEnvelope) -> JSONValue {
                var o = e.data.objectValue ?? [:]
                o["resource"] = nil
                return .object(o)
            }
            #expect(withoutResource(denials[0]) == withoutResource(denials[1]))
            #expect(denials.allSatisfy { $0.data["code"] == "not_found" })
            // Nothing in the trail says the id belongs to someone.
            #expect(denials.allSatisfy { !($0.data["message"]?.stringValue ?? "").contains("another account") })
        }
    }
}
