import ApexDomain
import ApexServer
import ApexStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// On the routes that decide before reading the body (create a project, invite, change or remove
/// a user), a caller without the permission is refused and audited whatever the body holds: a
/// bad body never hides a denial, and never tells a forbidden caller how to fix it.
@Suite struct DenialOrderTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let who: String, method: HTTPRequest.Method, path: String, body: String?, permission: String
        var testDescription: String { "\(who) \(method) \(path) \(body.map { String($0.prefix(30)) } ?? "<no body>")" }
    }

    static let cases: [Case] = [
        Case(who: "fabricator", method: .post, path: "/v1/projects", body: "{}", permission: "project.create"),
        Case(who: "engineer", method: .post, path: "/v1/projects", body: "not json", permission: "project.create"),
        Case(who: "client", method: .post, path: "/v1/projects", body: BadInputProjectTests.huge, permission: "project.create"),
        Case(who: "engineer", method: .post, path: "/v1/invitations", body: "not json", permission: "user.invite"),
        Case(who: "estimator", method: .post, path: "/v1/invitations", body: #"{"email":"x","role":"boss"}"#, permission: "user.invite"),
        Case(who: "estimator", method: .patch, path: "/v1/users/$member", body: #"{"role":"king"}"#, permission: "user.invite"),
        Case(who: "fabricator", method: .patch, path: "/v1/users/$member", body: "[", permission: "user.invite"),
        Case(who: "estimator", method: .delete, path: "/v1/users/$member", body: nil, permission: "user.remove"),
        Case(who: "engineer", method: .delete, path: "/v1/users/$member", body: #"{"reason":5}"#, permission: "user.remove"),
    ]

    @Test(arguments: cases)
    func deniedBeforeTheBodyIsRead(_ c: Case) async throws {
        try await World.with(withProjects: false) { world in
            let before = try await world.accountVersion()
            let path = c.path.replacingOccurrences(of: "$member", with: world.user("member").lowercased)
            let reply = try await world.test { client in try await client.call(c.method, path, as: world.token(c.who), raw: c.body) }
            expectProblem(reply, 403, "role_forbids")
            let denials = try await world.denials(after: before)
            #expect(denials.count == 1)
            #expect(denials.first?.data["action"] == .string(c.permission))
            #expect(try await world.accountVersion() == before + 1)
        }
    }

    /// Project routes collect the body, ask the policy, and parse only when allowed.
    static let projectCases: [(who: String, method: HTTPRequest.Method, path: String, body: String, permission: String, status: Int, code: String)] = [
        ("engineer", .delete, "/v1/projects/$p", "not json", "project.delete", 403, "role_forbids"),
        ("fabricator", .patch, "/v1/projects/$p", "[", "project.edit", 404, "not_found"),
        ("fabricator", .post, "/v1/projects/$p/calculations", "not json", "calculation.run", 404, "not_found"),
        ("estimator", .post, "/v1/projects/$p/calculations/$c/approve", "{", "calculation.approve", 403, "role_forbids"),
        ("estimator", .post, "/v1/projects/$p/status", #"{"status":"archived","extra":1}"#, "project.edit", 403, "role_forbids"),
        ("client", .post, "/v1/projects/$p/revert", "{{", "project.edit", 404, "not_found"),
    ]

    @Test(arguments: 0..<projectCases.count)
    func projectRoutesDenyBeforeTheBodyIsParsed(_ index: Int) async throws {
        let c = Self.projectCases[index]
        try await World.with { world in
            let before = try await world.accountVersion()
            let path = c.path.replacingOccurrences(of: "$p", with: world.projects["draft"]!.lowercased)
                .replacingOccurrences(of: "$c", with: world.calcs["draft"]!.lowercased)
            let reply = try await world.test { client in try await client.call(c.method, path, as: world.token(c.who), raw: c.body) }
            expectProblem(reply, c.status, c.code)
            let denials = try await world.denials(after: before)
            #expect(denials.count == 1)
            #expect(denials.first?.data["action"] == .string(c.permission))
        }
    }
}
