import ApexDomain
import ApexServer
import ApexStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// Runs every cell of ``AccessMatrix`` through the real router on a fresh SQLite store, and checks
/// that each denial was recorded: one `access.denied` event in the account stream with the actor,
/// the permission, the resource and the request's id — and no such event when access is allowed.
@Suite struct AccessMatrixTests {
    @Test(arguments: AccessMatrix.cells)
    func cell(_ cell: AccessMatrix.Cell) async throws {
        try await Self.check(cell, on: .sqlite)
    }

    /// The key rows again on PostgreSQL: visibility by state, a forbidden delete, approval with and
    /// without a PE license, creation, and the account trail.
    @Test(arguments: AccessMatrix.cells.filter { cell in
        let row = cell.row
        return (row.path == "/v1/projects/$p" && row.method == .get && row.state != "deleted")
            || (row.method == .delete && row.path == "/v1/projects/$p" && row.state == "approved")
            || (row.path.hasSuffix("/approve") && row.state == "own")
            || row.path == "/v1/projects" || row.path == "/v1/audit/events"
    })
    func postgres(_ cell: AccessMatrix.Cell) async throws {
        try await Self.check(cell, on: .postgres)
    }

    static func check(_ cell: AccessMatrix.Cell, on kind: StoreKind) async throws {
        try await World.with(kind) { world in
            let state = cell.row.state
            let substitutions: [(String, String)] = [
                ("$p", state.map { world.project($0).lowercased } ?? "-"),
                ("$c", state.map { world.calcs[$0]!.lowercased } ?? "-"),
                ("$next", state == "approved" ? "in_fabrication" : "estimating"),
                ("$member", world.user("member").lowercased),
                ("$owner2", world.user("owner-nope").lowercased),
            ]
            func fill(_ text: String) -> String { substitutions.reduce(text) { $0.replacingOccurrences(of: $1.0, with: $1.1) } }
            let before = try await world.accountVersion()
            let requestID = "matrix-\(UUID().uuidString.lowercased())"
            let path = fill(cell.row.path), body = cell.row.body.map(fill)
            let reply = try await world.test { client in
                try await client.call(cell.row.method, path, as: world.token(cell.actor), raw: body, headers: [.xRequestID: requestID])
            }
            #expect(reply.code == cell.expected, "\(reply.text)")
            #expect(reply.requestID == requestID)

            let denials = try await world.denials(after: before)
            guard cell.expected == 403 || cell.expected == 404 else {
                #expect(denials.isEmpty, "an allowed request recorded a denial: \(denials.map(\.data))")
                return
            }
            try #require(denials.count == 1, "a denial must be recorded exactly once")
            let denial = denials[0]
            #expect(denial.actor.userID == world.user(cell.actor))
            #expect(denial.data["action"] == .string(cell.row.permission!))
            #expect(denial.data["resource"] == .string(fill(cell.row.resource)))
            #expect(denial.requestMetadata.requestID == requestID)
            #expect(denial.stream == .account(world.account))
            if cell.expected == 404 {
                #expect(reply["code"] == "not_found")
                #expect(denial.data["code"] == "not_visible")
            } else {
                #expect(reply["code"] == denial.data["code"])
                #expect(reply["detail"] == denial.data["message"])
                let ownerRule = cell.row.resource == "user/$owner2" || cell.row.body == AccessMatrix.inviteOwner
                let expectedCode = cell.actor.hasSuffix("-nope") ? "pe_license_missing" : ownerRule && cell.role == "admin" ? "owner_only" : "role_forbids"
                #expect(reply["code"]?.stringValue == expectedCode)
            }
        }
    }
}
