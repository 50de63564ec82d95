import ApexDomain
import ApexTestSupport
import Foundation
import NIOHTTP1
import Testing

/// Two `apex-cli serve` processes on one PostgreSQL database, as behind a load balancer: a mixed
/// load on both (writes to one shared project with and without `If-Match`, reads on the other
/// instance right after each write) loses and duplicates no version, every acknowledged write
/// is read on the other instance at once, both answer the same state and the same project list,
/// a user invited on one instance works on the other, and the store verifies afterwards.
@Suite("Two serve processes on one PostgreSQL")
struct TwoInstancesTests {
    static let workers = 4, writes = 50

    /// What one PATCH got: who sent it, with or without `If-Match`, the answer, and what it wrote.
    struct Write: Sendable {
        var instance: Int, ifMatch: Bool, status: Int, code: String?, version: Int64?, description: String
        /// The version the other instance answered right after (for an acknowledged write).
        var seenOnOther: Int64?
    }

    @Test func aMixedLoadOnTwoInstancesLosesNothingAndBothAgree() async throws {
        try await TestPostgres.withDatabase { database in
            let secret = "two-instances-tests-jwt-secret-0123456789abcdef"
            let environment = [
                "APEX_STORE_URL": database.url, "APEX_JWT_SECRET": secret, "APEX_SIGNING_KEY": Scenario.signingKey,
            ]
            let created = try await CLI.run(
                ["account", "create", "--name", "Acme Signs", "--owner-email", "owner@acme.test", "--owner-name", "Olive Owner", "--json"],
                environment: environment)
            try #require(created.status == 0, "\(created)")
            let owner = try #require(try CLI.object(created.stdout)["token"] as? String)

            // Both seal a checkpoint every second, as every instance does on its own schedule.
            let serve = ["serve", "--checkpoint-every", "1"]
            try await ServeProcess.with(serve, environment: environment, token: owner) { a in
                try await ServeProcess.with(serve, environment: environment, token: owner) { b in
                    try await Self.run([a, b])
                }
            }
            // Both servers are stopped: the whole store, hashes, versions and the checkpoints
            // both sealed, verifies.
            let verified = try await CLI.run(["verify", "--json"], environment: environment)
            #expect(verified.status == 0, "\(verified)")
            #expect((try CLI.object(verified.stdout)["checkpoints_checked"] as? Int ?? 0) >= 2, "\(verified.stdout)")
        }
    }

    static func run(_ instances: [ServeProcess]) async throws {
        let (a, b) = (instances[0], instances[1])
        // A user invited on one instance signs in and writes on the other: each instance's
        // account directory reads what the other appended.
        let invited = try await a.call(.POST, "/v1/invitations", json: ["email": "esther@acme.test", "role": "estimator"])
        try #require(invited.status == 201, "\(invited.text)")
        let accepted = try await b.call(.POST, "/v1/invitations/accept", json: ["token": invited["token"] ?? .null, "name": "Esther Estimator"])
        try #require(accepted.status == 201, "\(accepted.text)")
        let estimator = try #require(accepted["token"]?.stringValue)

        let created = try await b.call(.POST, "/v1/projects", json: ["name": "Shared pylon", "tags": ["load"]])
        try #require(created.status == 201, "\(created.text)")
        let path = "/v1/projects/" + (try #require(created["id"]?.stringValue))
        #expect(try await a.call(.GET, path).version == 1, "a project created on one instance is read on the other")

        let started = ContinuousClock.now
        let writes = try await withThrowingTaskGroup(of: [Write].self) { group in
            for instance in 0..<2 {
                for worker in 0..<Self.workers {
                    group.addTask {
                        try await Self.worker(instance, worker, instances, path: path, token: worker == 0 ? estimator : nil)
                    }
                }
            }
            return try await group.reduce(into: []) { $0 += $1 }
        }
        let elapsed = ContinuousClock.now - started

        let acknowledged = writes.filter { (200..<300).contains($0.status) }
        let preconditionFailed = writes.filter { $0.status == 412 }
        let conflicts = writes.filter { $0.status == 409 }
        print("""
            two instances: \(writes.count) PATCHes in \(elapsed): \(acknowledged.count) 2xx, \(preconditionFailed.count) 412 \
            (of \(writes.filter(\.ifMatch).count) with If-Match), \(conflicts.count) 409 \(Set(conflicts.compactMap(\.code)).sorted())
            """)
        #expect(writes.count == 2 * Self.workers * Self.writes)
        // Only these answers: a 412 for a stale If-Match only, a 409 only for a write without it
        // (another instance's writes won every retry), never a 5xx.
        let unexpected = writes.filter { w in !(w.status == 200 || (w.status == 412 && w.ifMatch) || (w.status == 409 && !w.ifMatch && w.code == "version_conflict")) }
        #expect(unexpected.isEmpty, "\(unexpected.prefix(5))")

        // No version lost or written twice: the acknowledged versions are 2...n, each once.
        try #require(!acknowledged.isEmpty, "no write was acknowledged")
        let versions = acknowledged.compactMap(\.version)
        #expect(versions.count == acknowledged.count)
        #expect(versions.sorted() == Array(2...Int64(1 + acknowledged.count)))
        // Every acknowledged write was read on the other instance right after.
        let stale = acknowledged.filter { ($0.seenOnOther ?? 0) < ($0.version ?? .max) }
        #expect(stale.isEmpty, "read behind on the other instance: \(stale.prefix(5))")

        // Both instances answer the same state, at 1 + the acknowledged writes.
        let final = Int64(1 + acknowledged.count)
        let (onA, onB) = (try await a.call(.GET, path), try await b.call(.GET, path))
        #expect(onA.version == final && onB.version == final, "A at \(onA.version ?? 0), B at \(onB.version ?? 0), expected \(final)")
        #expect(onA.json == onB.json)
        #expect(onA.headers.first(name: "Apex-State-Hash") == onB.headers.first(name: "Apex-State-Hash"))

        // The trail, paged on each instance: versions 1...n once each, every acknowledged write
        // the event at its version.
        for instance in instances {
            let trail = try await Self.trail(instance, path)
            #expect(trail.compactMap { $0["version"]?.numberValue }.map { Int64($0) } == Array(1...final))
            for write in acknowledged {
                guard let v = write.version, v >= 1, v <= Int64(trail.count) else { continue }
                #expect(trail[Int(v) - 1]["after"]?["description"]?.stringValue == write.description, "version \(v)")
            }
        }

        // The project list (a read model folded in each append's transaction) shows every event
        // once, the same on both instances.
        let lists = try await [a.call(.GET, "/v1/projects?limit=200"), b.call(.GET, "/v1/projects?limit=200")]
        for list in lists {
            let item = list["items"]?.arrayValue?.first { $0["id"] == created["id"] }
            #expect(item?["version"]?.numberValue == Double(final))
            #expect(item?["description"] == onA["description"])
        }
        #expect(lists[0].json == lists[1].json)
    }

    /// One client of one instance: `writes` PATCHes with a new description each (every write
    /// changes the project), every other one with the `If-Match` of a read just before; after
    /// each acknowledged write, a read on the other instance.
    static func worker(_ instance: Int, _ worker: Int, _ instances: [ServeProcess], path: String, token: String?) async throws -> [Write] {
        let (mine, other) = (instances[instance], instances[1 - instance])
        var done: [Write] = []
        for k in 0..<Self.writes {
            let description = "instance \(instance) worker \(worker) write \(k)"
            let ifMatch = k % 2 == 1
            var headers: [(String, String)] = []
            if ifMatch {
                let current = try await mine.call(.GET, path, token: token)
                headers.append(("If-Match", "\"\(current.version ?? 0)\""))
            }
            let reply = try await mine.call(.PATCH, path, json: ["description": .string(description)], headers: headers, token: token)
            var write = Write(
                instance: instance, ifMatch: ifMatch, status: reply.status, code: reply["code"]?.stringValue, version: reply.version, description: description)
            if reply.status == 200 { write.seenOnOther = try await other.call(.GET, path, token: token).version }
            done.append(write)
        }
        return done
    }

    /// The project's whole audit trail from `instance`, 200 events a page.
    static func trail(_ instance: ServeProcess, _ path: String) async throws -> [JSONValue] {
        var items: [JSONValue] = []
        var from = 1
        while true {
            let page = try await instance.call(.GET, path + "/events?from_version=\(from)&limit=200")
            try #require(page.status == 200, "\(page.text)")
            items += page["items"]?.arrayValue ?? []
            guard let next = page["next_from_version"]?.numberValue else { return items }
            from = Int(next)
        }
    }
}
