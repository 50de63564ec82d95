import ApexDomain
import ApexServer
import ApexStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// Nothing crosses accounts: another account's project, calculation or user answers 404 with the
/// very body a nonexistent id gets (only `request_id` differs), so a caller cannot tell them apart.
@Suite struct CrossAccountTests {
    /// (method, path with `$p` project, `$c` calculation, body) — every route that names a project or calculation.
    static let projectRoutes: [(HTTPRequest.Method, String, String?)] = [
        (.get, "/v1/projects/$p", nil),
        (.patch, "/v1/projects/$p", #"{"name":"Mine now"}"#),
        (.post, "/v1/projects/$p/status", #"{"status":"estimating"}"#),
        (.delete, "/v1/projects/$p", #"{"reason":"gone"}"#),
        (.post, "/v1/projects/$p/restore", #"{"reason":"back"}"#),
        (.get, "/v1/projects/$p/events", nil),
        (.get, "/v1/projects/$p/versions/1", nil),
        (.get, "/v1/projects/$p/diff?from=0&to=1", nil),
        (.post, "/v1/projects/$p/revert", #"{"to_version":1,"reason":"undo"}"#),
        (.get, "/v1/projects/$p/calculations", nil),
        (.get, "/v1/projects/$p/export?format=csv", nil),
        (.post, "/v1/projects/$p/calculations", #"{"type":"wind_velocity_pressure","inputs":{"V":115,"exposure":"C","z":15}}"#),
        (.put, "/v1/projects/$p/calculations/$c", #"{"inputs":{"V":120,"exposure":"C","z":15}}"#),
        (.post, "/v1/projects/$p/calculations/$c/approve", #"{"revision":1,"reason":"ok"}"#),
    ]

    @Test(arguments: StoreKind.allCases)
    func anotherAccountsProjectsAndCalculationsAreIndistinguishableFromNothing(_ kind: StoreKind) async throws {
        try await World.with(kind, configure: { $0.denialWindow = .zero }) { world in
            let rival = try await world.otherAccount()
            let rivalHead = try await world.store.streamVersion(.project(rival.project))
            let rivalAccountVersion = try await world.store.streamVersion(.account(rival.account))
            let before = try await world.accountVersion()
            let routes = Self.projectRoutes
            let replies = try await world.test { client in
                var replies: [(theirs: Reply, nothing: Reply)] = []
                for (method, path, body) in routes {
                    let theirs = path.replacingOccurrences(of: "$p", with: rival.project.lowercased).replacingOccurrences(of: "$c", with: rival.calc.lowercased)
                    let nothing = path.replacingOccurrences(of: "$p", with: UUID().lowercased).replacingOccurrences(of: "$c", with: UUID().lowercased)
                    replies.append((
                        try await client.call(method, theirs, as: world.token("owner"), raw: body),
                        try await client.call(method, nothing, as: world.token("owner"), raw: body)
                    ))
                }
                return replies
            }
            for ((method, path, _), pair) in zip(routes, replies) {
                expectProblem(pair.theirs, 404, "not_found")
                #expect(pair.theirs.problemWithoutRequestID == pair.nothing.problemWithoutRequestID, "\(method) \(path)")
                #expect(pair.theirs.headers[.eTag] == nil)
            }
            // Each attempt on the rival's project is a denial in the caller's own trail, never in the
            // rival's, recorded as an attempt on an absent project is (security review M4).
            let denials = try await world.denials(after: before)
            let theirs = denials.filter { $0.data["resource"] == .string("project/\(rival.project.lowercased)") }
            #expect(theirs.count == routes.count)
            #expect(denials.count == 2 * routes.count, "one denial for the rival's project and one for the absent one, per route")
            #expect(denials.allSatisfy { $0.data["code"] == "not_found" })
            #expect(try await world.store.streamVersion(.project(rival.project)) == rivalHead)
            #expect(try await world.store.streamVersion(.account(rival.account)) == rivalAccountVersion)
        }
    }

    /// A project a fabricator or client may not see is concealed the same way.
    @Test func aProjectTheRoleMayNotSeeIsIndistinguishableFromNothing() async throws {
        try await World.with { world in
            let hidden = [
                ("fabricator", world.project("draft")), ("fabricator", world.project("own")),
                ("client", world.project("draft")), ("client", world.project("approved")),
            ]
            try await world.test { client in
                for (who, project) in hidden {
                    for (method, path, body) in Self.projectRoutes {
                        let seen = path.replacingOccurrences(of: "$p", with: project.lowercased).replacingOccurrences(of: "$c", with: UUID().lowercased)
                        let nothing = path.replacingOccurrences(of: "$p", with: UUID().lowercased).replacingOccurrences(of: "$c", with: UUID().lowercased)
                        let a = try await client.call(method, seen, as: world.token(who), raw: body)
                        let b = try await client.call(method, nothing, as: world.token(who), raw: body)
                        #expect(a.code == 404, "\(who) \(method) \(path)")
                        #expect(a.problemWithoutRequestID == b.problemWithoutRequestID, "\(who) \(method) \(path)")
                    }
                }
            }
        }
    }

    @Test func anotherAccountsUserIsIndistinguishableFromNothing() async throws {
        try await World.with(withProjects: false) { world in
            let rival = try await world.otherAccount()
            let before = try await world.store.headPosition()
            try await world.test { client in
                let cases: [(HTTPRequest.Method, String)] = [(.patch, #"{"role":"admin"}"#), (.delete, #"{"reason":"poached"}"#)]
                for (method, body) in cases {
                    let theirs = try await client.call(method, "/v1/users/\(rival.member.lowercased)", as: world.token("owner"), raw: body)
                    let nothing = try await client.call(method, "/v1/users/\(UUID().lowercased)", as: world.token("owner"), raw: body)
                    expectProblem(theirs, 404, "not_found")
                    #expect(theirs.problemWithoutRequestID == nothing.problemWithoutRequestID)
                }
                // The user list names only this account's users.
                let list = try await client.call(.get, "/v1/users", as: world.token("owner"))
                let ids = Set(list.items.compactMap { $0["user_id"]?.stringValue })
                #expect(ids == Set(world.users.values.map(\.lowercased)))
                #expect(!ids.contains(rival.member.lowercased))
            }
            #expect(try await world.store.headPosition() == before)
        }
    }

    @Test func listsAndTrailsHoldOnlyTheCallersAccount() async throws {
        try await World.with { world in
            let rival = try await world.otherAccount()
            try await world.test { client in
                let list = try await client.call(.get, "/v1/projects?deleted=true", as: world.token("owner"))
                #expect(Set(list.items.compactMap { $0["id"]?.stringValue }) == Set(world.projects.values.map(\.lowercased)))
                let trail = try await client.call(.get, "/v1/audit/events?limit=200", as: world.token("owner"))
                #expect(!trail.items.isEmpty)
                #expect(trail.items.allSatisfy { $0["stream"]?.stringValue != StreamID.project(rival.project).rawValue })
                // The rival's own view is just as narrow.
                let theirs = try await client.call(.get, "/v1/projects", as: rival.token)
                #expect(theirs.items.compactMap { $0["id"]?.stringValue } == [rival.project.lowercased])
            }
        }
    }

    @Test func aTokenNamingAnotherAccountIsRefused() async throws {
        try await World.with(withProjects: false) { world in
            let rival = try await world.otherAccount()
            // A real user of this account, but the token claims the rival's account.
            let forged = try await world.api.issueToken(user: world.user("owner"), account: rival.account)
            try await world.test { client in
                expectProblem(try await client.call(.get, "/v1/me", as: forged), 401, "unauthorized")
                expectProblem(try await client.call(.get, "/v1/projects", as: forged), 401, "unauthorized")
            }
        }
    }
}
