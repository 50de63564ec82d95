import ApexDomain
import ApexServer
import ApexStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// `GET /v1/users/{id}/export` (GDPR Art. 15/20) over a real socket, so request metadata is real:
/// the person's record, the events they authored with their own requests' metadata opened, their
/// tokens' metadata and never a token; who may ask; `[erased]` after erasure.
@Suite struct UserExportTests {
    static let memberAgent = "MemberAgent/9 (export test)"
    static let ownerAgent = "OwnerAgent/3 (export test)"

    /// The member and the owner each edit the draft project once, with their own user agents.
    static func edits(_ client: any TestClientProtocol, _ world: World) async throws {
        let draft = "/v1/projects/\(world.project("draft").lowercased)"
        let byMember = try await client.call(.patch, draft, as: world.token("member"), json: ["description": "member edit"], headers: [.userAgent: Self.memberAgent])
        #expect(byMember.code == 200, "\(byMember.text)")
        let second = try await client.call(.patch, draft, as: world.token("member"), json: ["description": "member edit 2"], headers: [.userAgent: Self.memberAgent])
        #expect(second.code == 200, "\(second.text)")
        let byOwner = try await client.call(.patch, draft, as: world.token("owner"), json: ["description": "owner edit"], headers: [.userAgent: Self.ownerAgent])
        #expect(byOwner.code == 200, "\(byOwner.text)")
    }

    /// The project edits among exported events.
    static func edits(in events: [JSONValue]) -> [JSONValue] {
        events.filter { $0["type"]?.stringValue?.hasPrefix("project.") == true }
    }

    @Test(arguments: StoreKind.allCases)
    func aPersonExportsTheirRecordTheirEventsWithTheirMetadataAndNoToken(_ kind: StoreKind) async throws {
        try await World.with(kind) { world in
            let member = world.user("member")
            try await world.test(.live) { client in
                try await Self.edits(client, world)
                let export = try await client.call(.get, "/v1/users/\(member.lowercased)/export", as: world.token("member"))
                #expect(export.code == 200, "\(export.text)")
                #expect(export["user"]?["user_id"] == .string(member.lowercased))
                #expect(export["user"]?["email"] == "member@acme.example")
                // Their joining (seeded, no request) and their two edits over HTTP.
                let events = export["events"]?.array ?? []
                #expect(events.allSatisfy { $0["actor"]?["user_id"] == .string(member.lowercased) })
                let edits = Self.edits(in: events)
                #expect(edits.count == 2, "\(events.map { $0["type"] })")
                #expect(edits.allSatisfy { $0["request_metadata"]?["user_agent"] == .string(Self.memberAgent) })
                #expect(edits.allSatisfy { $0["request_metadata"]?["ip_address"] == "127.0.0.1" })
                // Only their own: nothing of the owner's requests, and no token value.
                #expect(!export.text.contains(Self.ownerAgent))
                #expect(!export.text.contains(world.token("member")) && !export.text.contains(world.token("owner")))
                #expect(export["tokens"]?["stored"] == false)
                #expect(export["tokens"]?["this_request"]?["id"]?.stringValue?.isEmpty == false)
                #expect(export["next_from_position"] == .null)

                // A page at a time.
                let first = try await client.call(.get, "/v1/users/\(member.lowercased)/export?limit=1", as: world.token("member"))
                #expect(first["events"]?.array?.count == 1)
                let next = try #require(first["next_from_position"]?.numberValue)
                let rest = try await client.call(.get, "/v1/users/\(member.lowercased)/export?limit=1&from_position=\(Int(next))", as: world.token("member"))
                #expect(events.count >= 2 && rest["events"]?.array?.first?["position"] == events[1]["position"])
                expectProblem(try await client.call(.get, "/v1/users/\(member.lowercased)/export?limit=0", as: world.token("member")), 400, "invalid_query", field: "limit")
            }
        }
    }

    @Test(arguments: StoreKind.allCases)
    func ownersAndAdminsMayOthersMayNotAndAnotherAccountsUserIsAbsent(_ kind: StoreKind) async throws {
        try await World.with(kind) { world in
            let member = world.user("member")
            let path = "/v1/users/\(member.lowercased)/export"
            let other = try await world.otherAccount()
            try await world.test(.live) { client in
                try await Self.edits(client, world)
                for asker in ["owner", "admin"] {
                    let export = try await client.call(.get, path, as: world.token(asker))
                    #expect(export.code == 200, "\(asker): \(export.text)")
                    #expect(Self.edits(in: export["events"]?.array ?? []).first?["request_metadata"]?["user_agent"] == .string(Self.memberAgent))
                    // The token of this request is the asker's, not the person's: not shown.
                    #expect(export["tokens"]?["this_request"] == nil)
                }
                for asker in ["engineer", "estimator", "fabricator", "client"] {
                    expectProblem(try await client.call(.get, path, as: world.token(asker)), 403, "role_forbids")
                    // Each may export their own.
                    let own = try await client.call(.get, "/v1/users/\(world.user(asker).lowercased)/export", as: world.token(asker))
                    #expect(own.code == 200, "\(asker): \(own.text)")
                }
                // An unknown user and another account's user are both absent.
                expectProblem(try await client.call(.get, "/v1/users/\(UUID().uuidString.lowercased())/export", as: world.token("owner")), 404, "not_found")
                expectProblem(try await client.call(.get, "/v1/users/\(other.member.uuidString.lowercased())/export", as: world.token("owner")), 404, "not_found")
                expectProblem(try await client.call(.get, path, as: other.token), 404, "not_found")
                // The denials are audited.
                let trail = try await client.call(.get, "/v1/audit/events?limit=200", as: world.token("owner"))
                let denials = trail.items.filter { $0["type"] == "access.denied" && $0["data"]?["resource"] == .string("user/\(member.lowercased)/export") }
                #expect(denials.count == 4, "\(denials)")
            }
        }
    }

    @Test(arguments: StoreKind.allCases)
    func anErasedPersonsExportShowsErased(_ kind: StoreKind) async throws {
        try await World.with(kind) { world in
            let member = world.user("member")
            try await world.test(.live) { client in
                try await Self.edits(client, world)
                let erased = try await client.call(.post, "/v1/users/\(member.lowercased)/erase", as: world.token("owner"), json: ["reason": "GDPR Art. 17"])
                #expect(erased.code == 200, "\(erased.text)")
                let export = try await client.call(.get, "/v1/users/\(member.lowercased)/export", as: world.token("owner"))
                #expect(export.code == 200, "\(export.text)")
                #expect(export["user"]?["name"] == "[erased]" && export["user"]?["email"] == "[erased]" && export["user"]?["erased"] == true)
                let events = export["events"]?.array ?? []
                let edits = Self.edits(in: events)
                #expect(edits.count == 2)
                #expect(edits.allSatisfy { $0["request_metadata"]?["user_agent"] == "[erased]" && $0["request_metadata"]?["ip_address"] == "[erased]" })
                #expect(events.allSatisfy { $0["actor"]?["email"] == "[erased]" })
                #expect(!export.text.contains(Self.memberAgent) && !export.text.contains("member@acme.example"))
                // The erased person can no longer ask.
                expectProblem(try await client.call(.get, "/v1/users/\(member.lowercased)/export", as: world.token("member")), 401, "unauthorized")
            }
        }
    }
}
