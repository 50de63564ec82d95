import ApexDomain
import ApexLive
import ApexServer
import ApexStore
import Foundation
import HTTPTypes
import Testing

/// Every operation of the OpenAPI document, driven through the real router: its success answer
/// and every documented error the harness can provoke, each answer held to the document (status,
/// content type, body schema; ``ContractProbe``), so the document cannot drift from the server.
@Suite("OpenAPI conformance")
struct OpenAPIConformanceTests {
    static var contract: OpenAPIContract { get throws { try OpenAPIContract.shared.get() } }

    /// Documented statuses no scenario provokes, and why: the store failing (503) is provoked only
    /// where a read of the head is all the route does (`/readyz`), and a build without the
    /// document (500) cannot be made from a test.
    static func unprovoked(_ operation: String) -> Set<Int> {
        switch operation {
        case "getReadiness": []
        case "getOpenAPIDocument": [500]
        default: [503]
        }
    }

    @Test func everyOperationHasAScenario() throws {
        let documented = Set(try Self.contract.operations.keys)
        let scenarios = Set(Self.scenarios.keys)
        #expect(documented.subtracting(scenarios).isEmpty, "operations without a scenario: \(documented.subtracting(scenarios).sorted())")
        #expect(scenarios.subtracting(documented).isEmpty, "scenarios of no documented operation: \(scenarios.subtracting(documented).sorted())")
    }

    @Test(arguments: OpenAPIConformanceTests.scenarios.keys.sorted())
    func operationKeepsTheDocument(_ operation: String) async throws {
        let contract = try Self.contract
        let scenario = try #require(Self.scenarios[operation])
        try await World.withFiles(.sqlite, configure: {
            $0.maxUploadBytes = 4096
            // Through the router a live stream's body is read whole: it ends after this long.
            $0.live.maxStreamDuration = .milliseconds(300)
        }) { world in
            try await world.test { client in
                let probe = ContractProbe(operation, contract, world, client)
                try await scenario(probe)
                let missing = contract.statuses(operation).subtracting(probe.exercised).subtracting(Self.unprovoked(operation))
                #expect(missing.isEmpty, "\(operation): documented statuses no request provoked: \(missing.sorted())")
                #expect(probe.exercised.contains { (200..<300).contains($0) }, "\(operation): no success answer")
            }
        }
    }

    typealias Scenario = @Sendable (ContractProbe) async throws -> Void

    static let scenarios: [String: Scenario] = health.merging(users) { a, _ in a }.merging(projects) { a, _ in a }
        .merging(history) { a, _ in a }.merging(calculations) { a, _ in a }.merging(audit) { a, _ in a }
        .merging(compliance) { a, _ in a }
        .merging(files) { a, _ in a }
        .merging(search) { a, _ in a }.merging(analytics) { a, _ in a }.merging(anomalies) { a, _ in a }
        .merging(webhooks) { a, _ in a }
        .merging(live) { a, _ in a }.merging(presence) { a, _ in a }
        .merging(export) { a, _ in a }
        .merging(userExport) { a, _ in a }
        .merging(notifications) { a, _ in a }

    static let health: [String: Scenario] = [
        "getHealth": { p in try await p.expect(200, .get, "/healthz", as: nil) },
        "getReadiness": { p in
            try await p.expect(200, .get, "/readyz", as: nil)
            let (proxy, down) = try await p.proxied()
            proxy.goDown()
            try await p.on(down) { try await $0.expect(503, .get, "/readyz", as: nil) }
        },
        "getOpenAPIDocument": { p in try await p.expect(200, .get, "/openapi.yaml", as: nil) },
    ]

    static let audit: [String: Scenario] = [
        "verifyStore": { p in
            try await p.expect(200, .get, "/v1/audit/verify")
            try await p.unauthorized(.get, "/v1/audit/verify")
            try await p.expect(403, .get, "/v1/audit/verify", as: "engineer")
        },
        "listAccountEvents": { p in
            let page = try await p.expect(200, .get, "/v1/audit/events?limit=200")
            #expect(page.items.count > 10)
            try await p.expect(200, .get, "/v1/audit/events?limit=2", as: "admin")
            try await p.expect(400, .get, "/v1/audit/events?limit=0")
            try await p.unauthorized(.get, "/v1/audit/events")
            try await p.expect(403, .get, "/v1/audit/events", as: "estimator")
        },
    ]
}
