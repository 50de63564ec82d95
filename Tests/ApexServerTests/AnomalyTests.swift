import ApexAnalytics
import ApexDomain
import ApexServer
import ApexStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Synchronization
import Testing

/// The audit anomaly rules through the real server, over a real socket behind a trusted proxy
/// (so `X-Forwarded-For` is the client address the events record), on both stores. The store's
/// clock is a test clock: the events after seeding are stamped 2030-01-01 10:00 UTC and later.
/// Each rule has a test that triggers it and one that does not; flags are read back through
/// `GET /v1/audit/anomalies`, which catches the `anomalies` consumer up first.
@Suite struct AnomalyTests {
    final class TestClock: Sendable {
        let now = Mutex(Date(timeIntervalSince1970: 1_893_492_000))
        func advance(_ seconds: TimeInterval) { now.withLock { $0 = $0.addingTimeInterval(seconds) } }
        var read: @Sendable () -> Date { { self.now.withLock { $0 } } }
    }

    static let proxies = try! TrustedProxies(parsing: "127.0.0.1/32, ::1/128")
    static func from(_ address: String) -> HTTPFields { [.xForwardedFor: address, .userAgent: "apex-tests/1.0"] }
    static let home = "203.0.113.5"
    static let pole: JSONValue = ["F": 2000, "y": 15, "Fb": 30]

    /// A world on `kind` with a test clock, served over a socket behind a trusted proxy.
    static func scenario(
        _ kind: StoreKind, configure: @escaping (inout ServerConfiguration) -> Void = { _ in },
        _ body: @escaping @Sendable (World, any TestClientProtocol, TestClock) async throws -> Void
    ) async throws {
        let clock = TestClock()
        try await World.with(kind, withProjects: false, storeClock: clock.read, configure: {
            $0.trustedProxies = proxies
            configure(&$0)
        }) { world in
            try await world.test(.live) { client in try await body(world, client, clock) }
        }
    }

    /// The flags listed for the owner, of `rule` when given.
    static func flags(_ client: any TestClientProtocol, _ world: World, rule: AnomalyRule? = nil) async throws -> [JSONValue] {
        let reply = try await client.call(.get, "/v1/audit/anomalies" + (rule.map { "?rule=\($0.rawValue)" } ?? ""), as: world.token("owner"))
        #expect(reply.code == 200, "\(reply.text)")
        #expect(reply["lag"] == 0)
        return reply.items
    }

    /// A new project of `who`'s (an owner, admin or estimator).
    static func project(_ client: any TestClientProtocol, _ world: World, _ who: String, address: String = home) async throws -> String {
        let created = try await client.call(.post, "/v1/projects", as: world.token(who), json: ["name": "Anomalous pylon"], headers: from(address))
        #expect(created.code == 201, "\(created.text)")
        return try #require(created["id"]?.stringValue)
    }

    /// `count` edits of `project` by `who` from `address`: requests in `who`'s baseline.
    static func edits(_ client: any TestClientProtocol, _ world: World, _ who: String, _ project: String, count: Int, address: String = home) async throws {
        for i in 0..<count {
            let reply = try await client.call(
                .patch, "/v1/projects/\(project)", as: world.token(who), json: ["description": .string("edit \(i)")], headers: from(address))
            #expect(reply.code == 200, "\(reply.text)")
        }
    }

    /// A calculation run by the engineer on `project`; returns its id.
    static func run(_ client: any TestClientProtocol, _ world: World, _ project: String) async throws -> String {
        let run = try await client.call(
            .post, "/v1/projects/\(project)/calculations", as: world.token("engineer"), json: ["type": "pole_base_moment", "inputs": pole], headers: from(home))
        #expect(run.code == 201, "\(run.text)")
        return try #require(run["calculation_id"]?.stringValue)
    }

    static func approve(_ client: any TestClientProtocol, _ world: World, _ project: String, _ calc: String) async throws -> Reply {
        let reply = try await client.call(
            .post, "/v1/projects/\(project)/calculations/\(calc)/approve", as: world.token("engineer"), json: ["revision": 1, "reason": "checked"],
            headers: from(home))
        #expect(reply.code == 201, "\(reply.text)")
        return reply
    }

    // MARK: new network

    @Test(arguments: StoreKind.allCases)
    func aKnownNetworkOrAnUnestablishedBaselineRaisesNoNetworkFlag(_ kind: StoreKind) async throws {
        try await Self.scenario(kind) { world, client, _ in
            let id = try await Self.project(client, world, "owner", address: "198.51.100.1")
            try await Self.edits(client, world, "owner", id, count: 1, address: "2001:db8:9::1")
            try await Self.edits(client, world, "owner", id, count: AnomalyThresholds.baselineRequests, address: Self.home)
            // Another host of the same /24, and the networks seen before the baseline was established.
            try await Self.edits(client, world, "owner", id, count: 1, address: "203.0.113.77")
            try await Self.edits(client, world, "owner", id, count: 1, address: "198.51.100.200")
            try await Self.edits(client, world, "owner", id, count: 1, address: "2001:db8:9:abcd::2")
            #expect(try await Self.flags(client, world).isEmpty)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func aRequestFromANewNetworkIsFlaggedOnce(_ kind: StoreKind) async throws {
        try await Self.scenario(kind) { world, client, _ in
            let id = try await Self.project(client, world, "owner")
            try await Self.edits(client, world, "owner", id, count: AnomalyThresholds.baselineRequests, address: Self.home)
            let head = try await world.store.headPosition()
            try await Self.edits(client, world, "owner", id, count: 2, address: "2001:db8:77::1")
            let flags = try await Self.flags(client, world, rule: .newNetwork)
            #expect(flags.count == 1, "\(flags)")
            let flag = try #require(flags.first)
            #expect(flag["user_id"]?.stringValue == world.user("owner").lowercased)
            #expect(flag["positions"] == [.number(Double(head + 1))])
            let behind = try #require(flag["events"]?.array?.first)
            #expect(behind["type"] == "project.updated" && behind["position"]?.numberValue == Double(head + 1), "\(behind)")
            // The flag is an event of the account's anomalies stream, by the consumer.
            let events = try await world.store.readStream(.anomalies(world.account)).filter { $0.type == AuditAnomalyFlagged.type }
            #expect(try await world.accountEvents().allSatisfy { $0.type != AuditAnomalyFlagged.type }, "never on the account's own stream")
            #expect(events.count == 1 && events.first?.actor.service == "anomalies")
        }
    }

    // MARK: off-hours approval

    /// The engineer's baseline of calculation runs at 10:00 UTC, then an approval `hoursLater`.
    static func approveAfterABaseline(_ client: any TestClientProtocol, _ world: World, _ clock: TestClock, hoursLater: Double) async throws {
        let id = try await project(client, world, "owner")
        var calcs: [String] = []
        for _ in 0..<AnomalyThresholds.baselineRequests { calcs.append(try await run(client, world, id)) }
        clock.advance(hoursLater * 3600)
        _ = try await approve(client, world, id, calcs[0])
    }

    @Test(arguments: StoreKind.allCases)
    func anApprovalAtAUsualHourIsNotFlagged(_ kind: StoreKind) async throws {
        try await Self.scenario(kind) { world, client, clock in
            try await Self.approveAfterABaseline(client, world, clock, hoursLater: 50.0 / 60)
            #expect(try await Self.flags(client, world).isEmpty)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func anApprovalAtARareHourIsFlagged(_ kind: StoreKind) async throws {
        try await Self.scenario(kind) { world, client, clock in
            try await Self.approveAfterABaseline(client, world, clock, hoursLater: 12)
            let flags = try await Self.flags(client, world)
            #expect(flags.map { $0["rule"] } == ["off_hours_approval"], "\(flags)")
            #expect(flags.first?["user_id"]?.stringValue == world.user("engineer").lowercased)
            #expect(flags.first?["events"]?.array?.first?["type"] == "calculation.approved")
        }
    }

    // MARK: denial bursts

    @Test(arguments: StoreKind.allCases)
    func deniedRequestsBelowTheBurstAreNotFlagged(_ kind: StoreKind) async throws {
        try await Self.scenario(kind, configure: { $0.denialWindow = .zero }) { world, client, clock in
            for _ in 0..<(AnomalyThresholds.denialBurst - 1) {
                expectProblem(try await client.call(.get, "/v1/audit/events", as: world.token("fabricator"), headers: Self.from(Self.home)), 403, "role_forbids")
            }
            clock.advance(Double(AnomalyThresholds.denialWindowSeconds) + 1)
            for _ in 0..<(AnomalyThresholds.denialBurst - 1) {
                expectProblem(try await client.call(.get, "/v1/audit/events", as: world.token("fabricator"), headers: Self.from(Self.home)), 403, "role_forbids")
            }
            #expect(try await Self.flags(client, world).isEmpty)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func aBurstOfDenialsIsFlaggedOnceAndARebuildFlagsNothingTwice(_ kind: StoreKind) async throws {
        try await Self.scenario(kind, configure: { $0.denialWindow = .zero }) { world, client, _ in
            for _ in 0..<(AnomalyThresholds.denialBurst + 5) {
                expectProblem(try await client.call(.get, "/v1/audit/events", as: world.token("fabricator"), headers: Self.from(Self.home)), 403, "role_forbids")
            }
            let flags = try await Self.flags(client, world)
            #expect(flags.map { $0["rule"] } == ["denial_burst"], "\(flags)")
            #expect(flags.first?["positions"]?.array?.count == AnomalyThresholds.denialBurst)
            #expect(flags.first?["events"]?.array?.allSatisfy { $0["type"] == "access.denied" } == true)
            // Filters and paging.
            #expect(try await Self.flags(client, world, rule: .massDeletion).isEmpty)
            let later = try await client.call(.get, "/v1/audit/anomalies?from=2031-01-01T00:00:00Z", as: world.token("owner"))
            #expect(later.code == 200 && later.items.isEmpty)

            // A rebuild replays the log: the same flag (same id) is not appended again.
            try await world.store.resetConsumer(AnomalyConsumer.consumerName)
            #expect(try await Self.flags(client, world) == flags)
            #expect(try await world.store.readStream(.anomalies(world.account)).filter { $0.type == AuditAnomalyFlagged.type }.count == 1)
        }
    }

    // MARK: mass deletions

    @Test(arguments: StoreKind.allCases)
    func deletionsSpreadOverTimeAreNotFlagged(_ kind: StoreKind) async throws {
        try await Self.scenario(kind) { world, client, clock in
            for _ in 0..<AnomalyThresholds.massDeletions {
                let id = try await Self.project(client, world, "owner")
                clock.advance(3 * 60)
                let deleted = try await client.call(.delete, "/v1/projects/\(id)", as: world.token("owner"), json: ["reason": "tidy"], headers: Self.from(Self.home))
                #expect(deleted.code == 200, "\(deleted.text)")
            }
            #expect(try await Self.flags(client, world).isEmpty)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func massDeletionsAreFlagged(_ kind: StoreKind) async throws {
        try await Self.scenario(kind) { world, client, _ in
            var ids: [String] = []
            for _ in 0..<AnomalyThresholds.massDeletions { ids.append(try await Self.project(client, world, "owner")) }
            for id in ids {
                let deleted = try await client.call(.delete, "/v1/projects/\(id)", as: world.token("owner"), json: ["reason": "tidy"], headers: Self.from(Self.home))
                #expect(deleted.code == 200, "\(deleted.text)")
            }
            let flags = try await Self.flags(client, world)
            #expect(flags.map { $0["rule"] } == ["mass_deletion"], "\(flags)")
            #expect(flags.first?["events"]?.array?.map { $0["type"] } == Array(repeating: "project.deleted", count: AnomalyThresholds.massDeletions))
        }
    }

    // MARK: approvals after a license change

    static let renewed: JSONValue = ["number": "PE-2002", "state": "TX", "expires_on": "2099-06-30"]

    /// A calculation run, the engineer's license renewed by the admin, and its approval `seconds` later.
    static func approveAfterALicenseChange(_ client: any TestClientProtocol, _ world: World, _ clock: TestClock, seconds: Double) async throws {
        let id = try await project(client, world, "owner")
        let calc = try await run(client, world, id)
        let changed = try await client.call(
            .patch, "/v1/users/\(world.user("engineer").lowercased)", as: world.token("admin"), json: ["pe_license": renewed], headers: from(home))
        #expect(changed.code == 200, "\(changed.text)")
        clock.advance(seconds)
        _ = try await approve(client, world, id, calc)
    }

    @Test(arguments: StoreKind.allCases)
    func anApprovalLongAfterALicenseChangeIsNotFlagged(_ kind: StoreKind) async throws {
        try await Self.scenario(kind) { world, client, clock in
            try await Self.approveAfterALicenseChange(client, world, clock, seconds: Double(AnomalyThresholds.licenseChangeWindowSeconds) + 60)
            #expect(try await Self.flags(client, world).isEmpty)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func anApprovalMinutesAfterALicenseChangeIsFlagged(_ kind: StoreKind) async throws {
        try await Self.scenario(kind) { world, client, clock in
            try await Self.approveAfterALicenseChange(client, world, clock, seconds: 120)
            let flags = try await Self.flags(client, world)
            #expect(flags.map { $0["rule"] } == ["approval_after_license_change"], "\(flags)")
            #expect(flags.first?["events"]?.array?.map { $0["type"] } == ["user.pe_license_changed", "calculation.approved"])
            #expect(flags.first?["user_id"]?.stringValue == world.user("engineer").lowercased)
        }
    }

    // MARK: privacy, access, bad input

    @Test(arguments: StoreKind.allCases)
    func erasingAUserDropsTheirBaseline(_ kind: StoreKind) async throws {
        try await Self.scenario(kind) { world, client, _ in
            let member = world.user("member")
            for _ in 0..<3 { _ = try await Self.project(client, world, "member") }
            let sql = FeatureSQL(database: world.store.featureDatabase, logger: World.logger)
            func rows() async throws -> Int {
                var n = 0
                for table in ["anomaly_baselines", "anomaly_networks", "anomaly_agents"] {
                    n += try await sql.run("SELECT user_id FROM \(table) WHERE user_id = ?", [.text(member.lowercased)], write: false).count
                }
                return n
            }
            _ = try await Self.flags(client, world)
            #expect(try await rows() == 3)
            let erased = try await client.call(.post, "/v1/users/\(member.lowercased)/erase", as: world.token("owner"), json: ["reason": "GDPR Art. 17"], headers: Self.from(Self.home))
            #expect(erased.code == 200, "\(erased.text)")
            _ = try await Self.flags(client, world)
            #expect(try await rows() == 0)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func onlyOwnersAndAdminsListFlagsAndBadInputIsAProblem(_ kind: StoreKind) async throws {
        try await World.with(kind, withProjects: false) { world in
            try await world.test { client in
                #expect(try await client.call(.get, "/v1/audit/anomalies?limit=5", as: world.token("admin")).code == 200)
                expectProblem(try await client.call(.get, "/v1/audit/anomalies", as: world.token("engineer")), 403, "role_forbids")
                #expect(try await client.call(.get, "/v1/audit/anomalies").code == 401)
                for (query, field, code) in [
                    ("rule=gut_feeling", "rule", "invalid_query"), ("from=last-week", "from", "invalid_query"), ("to=soon", "to", "invalid_query"),
                    ("limit=0", "limit", "invalid_query"), ("cursor=nope", "cursor", "invalid_cursor"),
                ] {
                    expectProblem(try await client.call(.get, "/v1/audit/anomalies?\(query)", as: world.token("owner")), 400, code, field: field)
                }
            }
        }
    }
}
