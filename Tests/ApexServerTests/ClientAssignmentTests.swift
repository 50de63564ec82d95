import ApexDomain
import ApexServer
import ApexStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// A project's `client_id` names a client user of the project's own account, on create, on edit
/// and on a revert that would change it.
@Suite struct ClientAssignmentTests {
    @Test(arguments: StoreKind.allCases)
    func anotherAccountsUserIsNotAClient(_ kind: StoreKind) async throws {
        try await World.with(kind) { world in
            let rival = try await world.otherAccount()
            try await world.test { client in
                let head = try await world.store.headPosition()
                for stranger in [rival.owner, rival.member] {
                    let created = try await client.call(
                        .post, "/v1/projects", as: world.token("owner"), json: ["name": "Borrowed client", "client_id": .string(stranger.lowercased)])
                    expectProblem(created, 422, "invalid_input", field: "client_id")
                    let edited = try await client.call(
                        .patch, "/v1/projects/\(world.project("draft").lowercased)", as: world.token("owner"),
                        json: ["client_id": .string(stranger.lowercased)])
                    expectProblem(edited, 422, "invalid_input", field: "client_id")
                }
                // A user of this account who is not a client is refused too.
                let estimator = try await client.call(
                    .post, "/v1/projects", as: world.token("owner"), json: ["name": "x", "client_id": .string(world.user("estimator").lowercased)])
                expectProblem(estimator, 422, "invalid_input", field: "client_id")
                #expect(try await world.store.headPosition() == head)

                // The account's client user is accepted.
                let mine = try await client.call(
                    .post, "/v1/projects", as: world.token("owner"), json: ["name": "Theirs", "client_id": .string(world.user("client").lowercased)])
                #expect(mine.code == 201, "\(mine.text)")
                #expect(mine["client_id"] == .string(world.user("client").lowercased))
            }
        }
    }

    /// A revert that would set `client_id` to someone who is no longer a client of the account is
    /// refused; a revert that leaves `client_id` as it is, or clears it, is not checked.
    @Test func aRevertToAFormerClientIs422() async throws {
        try await World.with { world in
            let id = world.project("own").lowercased, owner = world.token("owner")
            try await world.test { client in
                // Version 3: the client cleared; then the client user leaves the account.
                let cleared = try await client.call(.patch, "/v1/projects/\(id)", as: owner, json: ["client_id": nil])
                #expect(cleared.code == 200, "\(cleared.text)")
                let version = try #require(cleared["version"]?.numberValue)
                #expect(try await client.call(.delete, "/v1/users/\(world.user("client").lowercased)", as: owner, json: ["reason": "left"]).code == 204)
                let head = try await world.store.headPosition()
                let back = try await client.call(.post, "/v1/projects/\(id)/revert", as: owner, json: ["to_version": 1, "reason": "undo"])
                expectProblem(back, 422, "invalid_input", field: "client_id")
                #expect(try await world.store.headPosition() == head)
                // Reverting to a version without a client is fine.
                let plain = try await client.call(.post, "/v1/projects/\(id)/revert", as: owner, json: ["to_version": .number(version), "reason": "undo"])
                #expect(plain.code == 200, "\(plain.text)")
            }
        }
    }
}
