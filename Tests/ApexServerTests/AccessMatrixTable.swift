import ApexDomain
import HTTPTypes
import Hummingbird
import Testing

/// Every route × every role, written out by hand from the design brief and issue 4, not derived
/// from ``AccessPolicy``: one row per (route, project state), one expected status per role, in the
/// column order **owner, admin, engineer, estimator, fabricator, client**.
///
/// Placeholders: `$p` the project of the row's state, `$c` its unapproved calculation, `$next` the
/// status that follows the state's (`estimating` after draft, `in_fabrication` after approved),
/// `$member` an estimator, `$owner2` a second owner. States (see ``World``): `draft` (no client),
/// `approved`, `own` (a draft whose client is the `client` user; for the other roles just a
/// draft), `deleted`. Owner, admin and engineer hold a valid PE license; rows marked `noPE` act
/// as their twins without one. Every 403 and 404 here is the policy's, so each must leave an
/// `access.denied` event naming `permission` and `resource`.
enum AccessMatrix {
    static let edit = #"{"description":"edited by the matrix"}"#
    static let status = #"{"status":"$next","reason":"moving on"}"#
    static let reason = #"{"reason":"cleanup"}"#
    static let revert = #"{"to_version":1,"reason":"undo"}"#
    static let reopen = #"{"status":"estimating","reason":"rework"}"#
    static let run = #"{"type":"wind_velocity_pressure","inputs":{"V":115,"exposure":"C","z":15}}"#
    static let revise = #"{"inputs":{"V":120,"exposure":"C","z":15}}"#
    static let approve = #"{"revision":1,"reason":"checked the inputs"}"#
    static let invite = #"{"email":"new.hire@acme.example","role":"estimator"}"#
    static let inviteOwner = #"{"email":"new.owner@acme.example","role":"owner"}"#

    static let rows: [Row] = [
        // Projects: read.          owner admin engineer estimator fabricator client
        Row(.get, "/v1/projects/$p", nil, "draft", "project.view", [200, 200, 200, 200, 404, 404]),
        Row(.get, "/v1/projects/$p", nil, "approved", "project.view", [200, 200, 200, 200, 200, 404]),
        Row(.get, "/v1/projects/$p", nil, "own", "project.view", [200, 200, 200, 200, 404, 200]),
        Row(.get, "/v1/projects/$p", nil, "deleted", "project.view", [200, 200, 200, 200, 404, 404]),
        Row(.get, "/v1/projects/$p/events", nil, "draft", "project.view", [200, 200, 200, 200, 404, 404]),
        Row(.get, "/v1/projects/$p/events", nil, "approved", "project.view", [200, 200, 200, 200, 200, 404]),
        Row(.get, "/v1/projects/$p/events", nil, "own", "project.view", [200, 200, 200, 200, 404, 200]),
        Row(.get, "/v1/projects/$p/versions/1", nil, "draft", "project.view", [200, 200, 200, 200, 404, 404]),
        Row(.get, "/v1/projects/$p/versions/1", nil, "approved", "project.view", [200, 200, 200, 200, 200, 404]),
        Row(.get, "/v1/projects/$p/versions/1", nil, "own", "project.view", [200, 200, 200, 200, 404, 200]),
        Row(.get, "/v1/projects/$p/diff?from=1&to=2", nil, "draft", "project.view", [200, 200, 200, 200, 404, 404]),
        Row(.get, "/v1/projects/$p/diff?from=1&to=2", nil, "approved", "project.view", [200, 200, 200, 200, 200, 404]),
        Row(.get, "/v1/projects/$p/diff?from=1&to=2", nil, "own", "project.view", [200, 200, 200, 200, 404, 200]),
        // Projects: write.
        Row(.patch, "/v1/projects/$p", edit, "draft", "project.edit", [200, 200, 403, 200, 404, 404]),
        Row(.patch, "/v1/projects/$p", edit, "approved", "project.edit", [200, 200, 403, 200, 403, 404]),
        Row(.patch, "/v1/projects/$p", edit, "own", "project.edit", [200, 200, 403, 200, 404, 403]),
        Row(.post, "/v1/projects/$p/status", status, "draft", "project.edit", [200, 200, 403, 200, 404, 404]),
        Row(.post, "/v1/projects/$p/status", status, "approved", "project.edit", [200, 200, 403, 200, 403, 404]),
        Row(.post, "/v1/projects/$p/status", reopen, "approved", "project.edit", [200, 200, 403, 403, 403, 404]),
        Row(.post, "/v1/projects/$p/status", status, "own", "project.edit", [200, 200, 403, 200, 404, 403]),
        Row(.post, "/v1/projects/$p/revert", revert, "draft", "project.edit", [200, 200, 403, 200, 404, 404]),
        Row(.post, "/v1/projects/$p/revert", revert, "approved", "project.edit", [200, 200, 403, 200, 403, 404]),
        Row(.post, "/v1/projects/$p/revert", revert, "own", "project.edit", [200, 200, 403, 200, 404, 403]),
        Row(.delete, "/v1/projects/$p", reason, "draft", "project.delete", [200, 200, 403, 403, 404, 404]),
        Row(.delete, "/v1/projects/$p", reason, "approved", "project.delete", [200, 200, 403, 403, 403, 404]),
        Row(.delete, "/v1/projects/$p", reason, "own", "project.delete", [200, 200, 403, 403, 404, 403]),
        Row(.post, "/v1/projects/$p/restore", reason, "deleted", "project.delete", [200, 200, 403, 403, 404, 404]),
        // Calculations.
        Row(.get, "/v1/projects/$p/calculations", nil, "draft", "calculation.view", [200, 200, 200, 200, 404, 404]),
        Row(.get, "/v1/projects/$p/calculations", nil, "approved", "calculation.view", [200, 200, 200, 200, 200, 404]),
        Row(.get, "/v1/projects/$p/calculations", nil, "own", "calculation.view", [200, 200, 200, 200, 404, 200]),
        Row(.post, "/v1/projects/$p/calculations", run, "draft", "calculation.run", [201, 201, 201, 201, 404, 404]),
        // Allowed by the policy, then refused by the domain: an approved project's calculations are frozen.
        Row(.post, "/v1/projects/$p/calculations", run, "approved", "calculation.run", [409, 409, 409, 409, 403, 404]),
        Row(.post, "/v1/projects/$p/calculations", run, "own", "calculation.run", [201, 201, 201, 201, 404, 403]),
        Row(.put, "/v1/projects/$p/calculations/$c", revise, "draft", "calculation.run", [200, 200, 200, 200, 404, 404]),
        Row(.put, "/v1/projects/$p/calculations/$c", revise, "approved", "calculation.run", [409, 409, 409, 409, 403, 404]),
        Row(.put, "/v1/projects/$p/calculations/$c", revise, "own", "calculation.run", [200, 200, 200, 200, 404, 403]),
        Row(.post, "/v1/projects/$p/calculations/$c/approve", approve, "draft", "calculation.approve", [201, 201, 201, 403, 404, 404]),
        Row(.post, "/v1/projects/$p/calculations/$c/approve", approve, "approved", "calculation.approve", [201, 201, 201, 403, 403, 404]),
        Row(.post, "/v1/projects/$p/calculations/$c/approve", approve, "own", "calculation.approve", [201, 201, 201, 403, 404, 403]),
        Row(.post, "/v1/projects/$p/calculations/$c/approve", approve, "draft", "calculation.approve", [403, 403, 403, 403, 404, 404], noPE: true),
        Row(.post, "/v1/projects/$p/calculations/$c/approve", approve, "approved", "calculation.approve", [403, 403, 403, 403, 403, 404], noPE: true),
        Row(.post, "/v1/projects/$p/calculations/$c/approve", approve, "own", "calculation.approve", [403, 403, 403, 403, 404, 403], noPE: true),
        // Projects: create and list (the list's contents are checked in ProjectListTests).
        Row(.post, "/v1/projects", #"{"name":"New sign"}"#, nil, "project.create", [201, 201, 403, 201, 403, 403], resource: "projects"),
        Row(.get, "/v1/projects", nil, nil, nil, [200, 200, 200, 200, 200, 200]),
        // Users and invitations.
        Row(.get, "/v1/me", nil, nil, nil, [200, 200, 200, 200, 200, 200]),
        Row(.get, "/v1/users", nil, nil, "user.view", [200, 200, 200, 200, 403, 403], resource: "users"),
        Row(.post, "/v1/invitations", invite, nil, "user.invite", [201, 201, 403, 403, 403, 403], resource: "invitation"),
        Row(.post, "/v1/invitations", inviteOwner, nil, "user.invite", [201, 403, 403, 403, 403, 403], resource: "invitation"),
        Row(.patch, "/v1/users/$member", #"{"role":"engineer"}"#, nil, "user.invite", [200, 200, 403, 403, 403, 403], resource: "user/$member"),
        Row(.patch, "/v1/users/$owner2", #"{"role":"admin"}"#, nil, "user.invite", [200, 403, 403, 403, 403, 403], resource: "user/$owner2"),
        Row(.delete, "/v1/users/$member", reason, nil, "user.remove", [204, 204, 403, 403, 403, 403], resource: "user/$member"),
        Row(.delete, "/v1/users/$owner2", reason, nil, "user.remove", [204, 403, 403, 403, 403, 403], resource: "user/$owner2"),
        Row(.post, "/v1/users/$member/erase", reason, nil, "user.remove", [200, 200, 403, 403, 403, 403], resource: "user/$member"),
        Row(.post, "/v1/users/$owner2/erase", reason, nil, "user.remove", [200, 403, 403, 403, 403, 403], resource: "user/$owner2"),
        Row(.post, "/v1/users/$member/revoke-tokens", nil, nil, "user.remove", [204, 204, 403, 403, 403, 403], resource: "user/$member"),
        Row(.post, "/v1/users/$owner2/revoke-tokens", nil, nil, "user.remove", [204, 403, 403, 403, 403, 403], resource: "user/$owner2"),
        Row(.post, "/v1/me/sign-out-everywhere", nil, nil, nil, [204, 204, 204, 204, 204, 204]),
        // The account's settings.
        Row(.get, "/v1/account/settings", nil, nil, "account.manage", [200, 403, 403, 403, 403, 403], resource: "account/settings"),
        Row(.patch, "/v1/account/settings", #"{"metadata_retention_days":90}"#, nil, "account.manage", [200, 403, 403, 403, 403, 403], resource: "account/settings"),
        // The account's trail.
        Row(.get, "/v1/audit/events", nil, nil, "user.remove", [200, 200, 403, 403, 403, 403], resource: "audit"),
        Row(.get, "/v1/audit/verify", nil, nil, "user.remove", [200, 200, 403, 403, 403, 403], resource: "audit"),
        // No permission needed.
        Row(.get, "/healthz", nil, nil, nil, [200, 200, 200, 200, 200, 200]),
        Row(.get, "/readyz", nil, nil, nil, [200, 200, 200, 200, 200, 200]),
        Row(.get, "/openapi.yaml", nil, nil, nil, [200, 200, 200, 200, 200, 200]),
    ]

    static let roles = ["owner", "admin", "engineer", "estimator", "fabricator", "client"]

    /// One test case per (row, role).
    static let cells: [Cell] = rows.flatMap { row in roles.indices.map { Cell(row: row, roleIndex: $0) } }

    struct Row: Sendable {
        let method: HTTPRequest.Method
        let path: String
        let body: String?
        let state: String?
        let permission: String?
        let expected: [Int]
        let noPE: Bool
        let resource: String

        init(
            _ method: HTTPRequest.Method, _ path: String, _ body: String?, _ state: String?, _ permission: String?, _ expected: [Int],
            noPE: Bool = false, resource: String = "project/$p"
        ) {
            precondition(expected.count == 6, "one status per role: owner, admin, engineer, estimator, fabricator, client")
            self.method = method
            self.path = path
            self.body = body
            self.state = state
            self.permission = permission
            self.expected = expected
            self.noPE = noPE
            self.resource = resource
        }
    }

    struct Cell: Sendable, CustomTestStringConvertible {
        let row: Row
        let roleIndex: Int

        var role: String { AccessMatrix.roles[roleIndex] }
        /// The acting user: the role, or its twin without a PE license.
        var actor: String { row.noPE && ["owner", "admin", "engineer"].contains(role) ? "\(role)-nope" : role }
        var expected: Int { row.expected[roleIndex] }
        var testDescription: String {
            "\(actor) \(row.method) \(row.path)\(row.state.map { " [\($0)]" } ?? "") → \(expected)"
        }
    }
}
