import ApexAnalytics
import ApexDomain
import ApexServer
import ApexStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// `GET /v1/analytics/usage` through the real router on both stores: what a day's work adds,
/// checked against the log itself; a repeated page adding nothing; a rebuild giving the same
/// report; weeks and months; who may ask; bad input; another account's usage never showing.
@Suite struct AnalyticsUsageTests {
    static let pole: JSONValue = ["F": 2000, "y": 15, "Fb": 30]

    /// Today's bucket of a report.
    static func today(_ reply: Reply) -> JSONValue? {
        guard case .array(let buckets)? = reply["buckets"] else { return nil }
        return buckets.last
    }

    static func number(_ value: JSONValue?, _ path: String...) -> Double {
        var v = value
        for key in path { v = v?[key] }
        return v?.numberValue ?? 0
    }

    @Test(arguments: StoreKind.allCases)
    func aDaysWorkIsCountedAsTheLogSaysAndARebuildReproducesIt(_ kind: StoreKind) async throws {
        try await World.withFiles(kind) { world in
            let owner = world.token("owner"), engineer = world.token("engineer"), estimator = world.token("estimator")
            try await world.test { client in
                let before = try await client.call(.get, "/v1/analytics/usage", as: owner)
                #expect(before.code == 200, "\(before.text)")
                #expect(before["interval"] == "day" && before["time_zone"] == "UTC" && before["lag"] == 0)
                let today = CivilDate(containing: Date()).description
                #expect(before["to"]?.stringValue == today)
                guard case .array(let days)? = before["buckets"] else { Issue.record("no buckets"); return }
                #expect(days.count == 30)
                let start = try #require(Self.today(before))

                // A day's work: a project through approval, two calculations approved, two files (one deleted), a denial.
                let id = try #require(try await client.call(.post, "/v1/projects", as: estimator, json: ["name": "Counted pylon"])["id"]?.stringValue)
                for _ in 0..<2 {
                    let run = try await client.call(.post, "/v1/projects/\(id)/calculations", as: engineer, json: ["type": "pole_base_moment", "inputs": Self.pole])
                    let calc = try #require(run["calculation_id"]?.stringValue)
                    #expect(try await client.call(.post, "/v1/projects/\(id)/calculations/\(calc)/approve", as: engineer, json: ["revision": 1, "reason": "ok"]).code == 201)
                }
                for status in ["estimating", "submitted"] {
                    #expect(try await client.call(.post, "/v1/projects/\(id)/status", as: estimator, json: ["status": .string(status)]).code == 200)
                }
                #expect(try await client.call(.post, "/v1/projects/\(id)/status", as: owner, json: ["status": "approved", "reason": "stamped"]).code == 200)
                let project = try #require(UUID(uuidString: id))
                let first = try await client.upload(project, "0123456789", as: owner)
                #expect(first.code == 201, "\(first.text)")
                let fileID = try #require(first["file_id"]?.stringValue)
                #expect(try await client.upload(project, "abcde", as: owner, filename: "b.pdf").code == 201)
                let deleted = try await client.call(.delete, "/v1/projects/\(id)/files/\(fileID)", as: owner, json: ["reason": "superseded"])
                #expect(deleted.code == 200 || deleted.code == 204, "\(deleted.text)")
                expectProblem(try await client.call(.get, "/v1/analytics/usage", as: world.token("fabricator")), 403, "role_forbids")

                let after = try await client.call(.get, "/v1/analytics/usage", as: owner)
                #expect(after.code == 200, "\(after.text)")
                let end = try #require(Self.today(after))
                func delta(_ path: String...) -> Double {
                    var a: JSONValue? = end, b: JSONValue? = start
                    for key in path { a = a?[key]; b = b?[key] }
                    return (a?.numberValue ?? 0) - (b?.numberValue ?? 0)
                }
                #expect(delta("projects", "created") == 1)
                #expect(delta("projects", "approved") == 1)
                #expect(delta("calculations", "run") == 2 && delta("calculations", "approved") == 2)
                #expect(delta("access_denials") == 1)
                #expect(delta("storage", "added_bytes") == 15 && delta("storage", "removed_bytes") == 10 && delta("storage", "used_bytes") == 5)
                #expect(delta("submitted_to_approved_seconds", "count") == 1)
                #expect(end["submitted_to_approved_seconds"]?["median"]?.numberValue != nil)
                #expect(delta("events", "project.status_changed") == 3 && delta("events", "file.uploaded") == 2)

                // Every bucket agrees with the log: events by type and distinct active users per day.
                var byDay: [String: (types: [String: Double], users: Set<UUID>)] = [:]
                for event in try await world.store.readAll(after: 0, limit: 100_000, mode: .stored) where event.accountID == world.account {
                    let day = CivilDate(containing: event.recordedAt).description
                    byDay[day, default: ([:], [])].types[event.type, default: 0] += 1
                    if let user = event.actor.userID { byDay[day, default: ([:], [])].users.insert(user) }
                }
                guard case .array(let buckets)? = after["buckets"] else { Issue.record("no buckets"); return }
                for bucket in buckets {
                    let day = try #require(bucket["from"]?.stringValue)
                    let expected = byDay[day] ?? ([:], [])
                    #expect(bucket["events"] == .object(expected.types.mapValues { .number($0) }), "\(day)")
                    #expect(bucket["active_users"]?.numberValue == Double(expected.users.count), "\(day)")
                }

                // A page delivered again adds nothing (the consumer's own checkpoint moves with its changes).
                let analytics = UsageAnalytics(store: world.store, logger: World.logger)
                try await analytics.consumer.handle(try await world.store.readAll(after: 0, limit: 100_000, mode: .stored))
                #expect(try await client.call(.get, "/v1/analytics/usage", as: owner).json == after.json)

                // `apex-cli projections rebuild analytics` resets the consumer: the next report replays the log.
                try await world.store.resetConsumer(UsageConsumer.consumerName)
                let rebuilt = try await client.call(.get, "/v1/analytics/usage", as: owner)
                #expect(rebuilt.json == after.json)
                #expect(try await world.store.consumerPositions().first { $0.name == "analytics" }?.position == (try await world.store.headPosition()))
            }
        }
    }

    @Test(arguments: StoreKind.allCases)
    func weeksAndMonthsAreCutToTheRange(_ kind: StoreKind) async throws {
        try await World.with(kind, withProjects: false) { world in
            try await world.test { client in
                let months = try await client.call(.get, "/v1/analytics/usage?from=2024-01-15&to=2024-03-31&interval=month", as: world.token("admin"))
                #expect(months.code == 200, "\(months.text)")
                guard case .array(let m)? = months["buckets"] else { Issue.record("no buckets"); return }
                #expect(m.map { [$0["from"]?.stringValue ?? "", $0["to"]?.stringValue ?? ""] } == [
                    ["2024-01-15", "2024-01-31"], ["2024-02-01", "2024-02-29"], ["2024-03-01", "2024-03-31"],
                ])
                // 2024-01-03 was a Wednesday: the first week is cut to it; weeks run Monday to Sunday.
                let weeks = try await client.call(.get, "/v1/analytics/usage?from=2024-01-03&to=2024-01-22&interval=week", as: world.token("owner"))
                guard case .array(let w)? = weeks["buckets"] else { Issue.record("no buckets"); return }
                #expect(w.map { [$0["from"]?.stringValue ?? "", $0["to"]?.stringValue ?? ""] } == [
                    ["2024-01-03", "2024-01-07"], ["2024-01-08", "2024-01-14"], ["2024-01-15", "2024-01-21"], ["2024-01-22", "2024-01-22"],
                ])
                // Nothing happened then: zeros and no percentiles.
                let first = try #require(m.first)
                #expect(first["active_users"] == 0 && first["submitted_to_approved_seconds"]?["median"] == .null)
                #expect(first["events"] == .object([:]) && first["storage"]?["used_bytes"] == 0)
                let started = ContinuousClock.now
                let longest = try await client.call(.get, "/v1/analytics/usage?from=2023-01-01&to=2025-12-31&interval=day", as: world.token("owner"))
                let took = ContinuousClock.now - started
                #expect(longest.code == 200)
                #expect(longest["buckets"]?.array?.count == 1096)
                let again = ContinuousClock.now
                _ = try await client.call(.get, "/v1/analytics/usage?from=2023-01-01&to=2025-12-31&interval=day", as: world.token("owner"))
                let tookAgain = ContinuousClock.now - again
                let direct = ContinuousClock.now
                let range = try UsageRange(from: "2023-01-01", to: "2025-12-31", today: CivilDate(containing: Date()))
                let report = try await UsageAnalytics(store: world.store, logger: World.logger).report(account: world.account, range: range, interval: .day)
                let tookDirect = ContinuousClock.now - direct
                let encoding = ContinuousClock.now
                _ = CanonicalJSON.bytes(report.json)
                let tookEncoding = ContinuousClock.now - encoding
                print("ANALYTICS MEASURE \(kind): report() alone \(tookDirect), encoding \(tookEncoding)")
                let short = ContinuousClock.now
                _ = try await client.call(.get, "/v1/analytics/usage?from=2025-01-01&to=2025-01-30&interval=day", as: world.token("owner"))
                let tookShort = ContinuousClock.now - short
                print("ANALYTICS MEASURE \(kind): a 1096-day daily report (empty days) in \(took), again \(tookAgain); 30 days \(tookShort)")
            }
        }
    }

    @Test(arguments: StoreKind.allCases)
    func onlyOwnersAndAdminsAskAndBadInputIsAProblem(_ kind: StoreKind) async throws {
        try await World.with(kind, withProjects: false) { world in
            let owner = world.token("owner")
            try await world.test { client in
                let version = try await world.accountVersion()
                for who in ["engineer", "estimator", "fabricator", "client"] {
                    expectProblem(try await client.call(.get, "/v1/analytics/usage", as: world.token(who)), 403, "role_forbids")
                }
                let denials = try await world.denials(after: version)
                #expect(denials.count == 4)
                #expect(try denials.allSatisfy { try $0.payload(as: AccessDenied.self).resource == "analytics" })
                #expect(try await client.call(.get, "/v1/analytics/usage").code == 401)

                let head = try await world.store.headPosition()
                let cases: [(String, Int, String, String)] = [
                    ("from=2024-13-01", 400, "invalid_query", "from"), ("from=yesterday", 400, "invalid_query", "from"),
                    ("to=2024-02-30", 400, "invalid_query", "to"), ("from=2024-1-5", 400, "invalid_query", "from"),
                    ("interval=year", 400, "invalid_query", "interval"), ("interval=", 400, "invalid_query", "interval"),
                    ("from=2024-03-01&to=2024-02-01", 422, "invalid_range", "from"),
                    ("from=2020-01-01&to=2024-01-01", 422, "invalid_range", "to"),
                ]
                for (query, status, code, field) in cases {
                    expectProblem(try await client.call(.get, "/v1/analytics/usage?\(query)", as: owner), status, code, field: field)
                }
                #expect(try await world.store.headPosition() == head)
            }
        }
    }

    @Test(arguments: StoreKind.allCases)
    func anotherAccountsUsageNeverShows(_ kind: StoreKind) async throws {
        try await World.with(kind) { world in
            let rival = try await world.otherAccount()
            try await world.test { client in
                let theirs = try await client.call(.get, "/v1/analytics/usage", as: rival.token)
                #expect(theirs.code == 200, "\(theirs.text)")
                let today = try #require(Self.today(theirs))
                // Their account: created, one member joined, one project with one calculation.
                #expect(today["projects"]?["created"] == 1 && today["calculations"]?["run"] == 1, "\(today)")
                #expect(today["events"]?["calculation.approved"] == nil)
                let mine = try #require(Self.today(try await client.call(.get, "/v1/analytics/usage", as: world.token("owner"))))
                #expect(Self.number(mine, "projects", "created") == 4, "\(mine)")
            }
        }
    }

    @Test func medianAndP90() {
        var bucket = UsageBucket(first: CivilDate(year: 2024, month: 1, day: 1), last: CivilDate(year: 2024, month: 1, day: 1))
        #expect(bucket.medianApprovalSeconds == nil && bucket.p90ApprovalSeconds == nil)
        bucket.approvalSeconds = [10]
        #expect(bucket.medianApprovalSeconds == 10 && bucket.p90ApprovalSeconds == 10)
        bucket.approvalSeconds = [1, 2, 3, 4]
        #expect(bucket.medianApprovalSeconds == 2.5 && bucket.p90ApprovalSeconds == 4)
        bucket.approvalSeconds = Array(1...10)
        #expect(bucket.medianApprovalSeconds == 5.5 && bucket.p90ApprovalSeconds == 9)
        bucket.approvalSeconds = Array(1...11)
        #expect(bucket.medianApprovalSeconds == 6 && bucket.p90ApprovalSeconds == 10)
    }
}
