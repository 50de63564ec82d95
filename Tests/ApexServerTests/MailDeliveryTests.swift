import ApexChildProcess
import ApexDomain
import ApexMail
import ApexServer
import ApexStore
import ApexTestSupport
import ApexWebhooks
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

/// Email end to end: the real router on a real socket, the `email` consumer and the mail
/// sender running beside it as the server runs them, and an `aiosmtpd` server on loopback
/// (``SMTPSink``) parsing every message with Python's `email` package.
@Suite("Mail deliveries", .serialized)
struct MailDeliveryTests {
    /// A world of `kind` sending to `sink` with fast retries, served live with its consumers and workers.
    static func live(_ kind: StoreKind, _ mode: SMTPSink.Mode = .plain, _ body: @Sendable @escaping (SMTPSink, World, any TestClientProtocol) async throws -> Void) async throws {
        try await SMTPSink.with(mode) { sink in
            try await World.with(kind, configure: { c in
                c.mail.smtp = try! SMTPSettings(url: sink.url)
                Self.fast(&c)
            }) { world in
                try await WebhookDeliveryTests.serving(world) { client in try await body(sink, world, client) }
            }
        }
    }

    static func fast(_ c: inout ServerConfiguration) {
        c.mail.retrySchedule = RetrySchedule(delays: [.milliseconds(300), .milliseconds(300)], jitter: 0)
        c.mail.pollInterval = .milliseconds(50)
        c.mail.timeout = .seconds(5)
        c.mail.from = "Apex Señales <noreply@apex.example>"
    }

    /// Invites `email` as the owner; returns the token.
    static func invite(_ client: any TestClientProtocol, _ world: World, _ email: String, name: String = "Nía Newcomer") async throws -> String {
        let reply = try await client.call(.post, "/v1/invitations", as: world.token("owner"), json: ["email": .string(email), "role": "estimator", "name": .string(name)])
        #expect(reply.code == 201, "\(reply.text)")
        return try #require(reply["token"]?.stringValue)
    }

    /// Polls the deliveries until `check` holds (or 20 s pass).
    static func deliveries(_ client: any TestClientProtocol, _ world: World, until check: ([JSONValue]) -> Bool) async throws -> [JSONValue] {
        let deadline = ContinuousClock.now + .seconds(20)
        var items: [JSONValue] = []
        repeat {
            let reply = try await client.call(.get, "/v1/notifications/deliveries", as: world.token("owner"))
            #expect(reply.code == 200, "\(reply.text)")
            items = reply.items
            if check(items) { break }
            try await Task.sleep(for: .milliseconds(100))
        } while ContinuousClock.now < deadline
        return items
    }

    @Test(arguments: StoreKind.allCases)
    func anInvitationMailsTheInviteeAloneWithTheToken(_ kind: StoreKind) async throws {
        try await Self.live(kind) { sink, world, client in
            let token = try await Self.invite(client, world, "newbie@example.com", name: "<b>Nía & co</b>")
            let got = try await sink.wait { !$0.isEmpty }
            let mail = try #require(got.first)
            #expect(mail.status == 250 && mail.recipients == ["newbie@example.com"] && mail.mailFrom == "noreply@apex.example")
            #expect(mail.types == ["multipart/alternative", "text/plain", "text/html"])
            #expect(mail.defects.isEmpty)
            #expect(mail.subject == "You are invited to Acme Signs on Apex")
            #expect(mail.text?.contains(token) == true && mail.html?.contains(token) == true)
            #expect(mail.text?.contains("<b>Nía & co</b>") == true, "plain text is not escaped")
            #expect(mail.html?.contains("&lt;b&gt;Nía &amp; co&lt;/b&gt;") == true && mail.html?.contains("<b>Nía") == false, "HTML is escaped")
            let items = try await Self.deliveries(client, world) { $0.first?["status"]?.stringValue == "sent" }
            #expect(items.count == 1)
            #expect(items.first?["message_id"]?.stringValue == mail.messageID)
            #expect(items.first?["recipient"]?.stringValue == "newbie@example.com")
            #expect(items.first?["template"]?.stringValue == "invitation")
            #expect(items.first?["reply"]?.stringValue?.hasPrefix("250") == true)
            // Nobody else: the seeded history is not mailed, and nothing is sent twice.
            try await Task.sleep(for: .milliseconds(600))
            #expect(sink.messages().count == 1)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func removingAUserMailsThatUserOverSTARTTLSWithAUTH(_ kind: StoreKind) async throws {
        try await Self.live(kind, .startTLS) { sink, world, client in
            let removed = try await client.call(.delete, "/v1/users/\(world.user("member").lowercased)", as: world.token("owner"), json: ["reason": "left the firm"])
            #expect(removed.code == 204 || removed.code == 200, "\(removed.text)")
            let got = try await sink.wait { !$0.isEmpty }
            let mail = try #require(got.first)
            #expect(mail.recipients == ["member@acme.example"])
            #expect(mail.tls && mail.authUser == SMTPSink.user)
            #expect(mail.subject == "You were removed from Acme Signs")
            #expect(mail.types == ["multipart/alternative", "text/plain", "text/html"] && mail.defects.isEmpty)
            try await Task.sleep(for: .milliseconds(500))
            #expect(sink.messages().count == 1)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func aStatusChangeMailsOwnersAdminsAndTheClientOnly(_ kind: StoreKind) async throws {
        try await Self.live(kind) { sink, world, client in
            let path = "/v1/projects/\(world.project("own").lowercased)/status"
            for status in ["estimating", "submitted", "estimating"] {
                let moved = try await client.call(.post, path, as: world.token("owner"), json: ["status": .string(status)])
                #expect(moved.code == 200, "\(moved.text)")
            }
            let expected: Set<String> = ["owner@acme.example", "admin@acme.example", "owner-nope@acme.example", "admin-nope@acme.example", "client@acme.example"]
            let got = try await sink.wait { $0.count >= 10 }
            try await Task.sleep(for: .milliseconds(500))
            #expect(sink.messages().count == 10, "draft to estimating mails no one; submitted and sent back mail five each")
            let submitted = got.filter { $0.subject?.hasSuffix("was submitted for approval") == true }
            let sentBack = got.filter { $0.subject?.hasSuffix("was sent back for changes") == true }
            #expect(Set(submitted.flatMap(\.recipients)) == expected && submitted.count == 5)
            #expect(Set(sentBack.flatMap(\.recipients)) == expected && sentBack.count == 5)
            #expect(got.allSatisfy { $0.defects.isEmpty && $0.types == ["multipart/alternative", "text/plain", "text/html"] })
        }
    }

    @Test(arguments: StoreKind.allCases)
    func preferencesPickTheLanguageAndWhatIsMailed(_ kind: StoreKind) async throws {
        try await Self.live(kind) { sink, world, client in
            let spanish = try await client.call(.patch, "/v1/me/preferences", as: world.token("client"), json: ["locale": "es"])
            #expect(spanish.code == 200 && spanish["locale"]?.stringValue == "es", "\(spanish.text)")
            let quiet = try await client.call(
                .patch, "/v1/me/preferences", as: world.token("owner-nope"), json: ["email": ["immediate": ["project_approved"]]])
            #expect(quiet.code == 200 && quiet["email"]?["immediate"]?.array?.count == 1, "\(quiet.text)")
            let read = try await client.call(.get, "/v1/me/preferences", as: world.token("client"))
            #expect(read["locale"]?.stringValue == "es" && read["email"]?["digest"]?.stringValue == "off")
            let path = "/v1/projects/\(world.project("own").lowercased)/status"
            for status in ["estimating", "submitted"] {
                #expect(try await client.call(.post, path, as: world.token("owner"), json: ["status": .string(status)]).code == 200)
            }
            let got = try await sink.wait { $0.count >= 4 }
            try await Task.sleep(for: .milliseconds(500))
            #expect(Set(sink.messages().flatMap(\.recipients)) == ["owner@acme.example", "admin@acme.example", "admin-nope@acme.example", "client@acme.example"])
            let toClient = try #require(got.first { $0.recipients == ["client@acme.example"] })
            #expect(toClient.subject?.hasSuffix("se envió para aprobación") == true, "\(toClient.subject ?? "")")
            #expect(toClient.text?.hasPrefix("Hola") == true && toClient.html?.contains("lang=\"es\"") == true)
            let toOwner = try #require(got.first { $0.recipients == ["owner@acme.example"] })
            #expect(toOwner.subject?.hasSuffix("was submitted for approval") == true)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func aTemporaryRefusalIsRetriedWithTheSameMessageID(_ kind: StoreKind) async throws {
        try await Self.live(kind) { sink, world, client in
            _ = try await Self.invite(client, world, "tempfail@example.com")
            let got = try await sink.wait { $0.count >= 2 }
            #expect(got.map(\.status) == [451, 250])
            #expect(Set(got.map(\.messageID)).count == 1)
            let items = try await Self.deliveries(client, world) { $0.first?["status"]?.stringValue == "sent" }
            #expect(items.first?["status"]?.stringValue == "sent" && items.first?["attempts"]?.numberValue == 2)
            try await Task.sleep(for: .milliseconds(800))
            #expect(sink.messages().filter { $0.status == 250 }.count == 1)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func aPermanentRefusalFails(_ kind: StoreKind) async throws {
        try await Self.live(kind) { sink, world, client in
            _ = try await Self.invite(client, world, "reject@example.com")
            let items = try await Self.deliveries(client, world) { $0.first?["status"]?.stringValue == "failed" }
            #expect(items.first?["status"]?.stringValue == "failed" && items.first?["attempts"]?.numberValue == 1)
            #expect(items.first?["reply"]?.stringValue?.contains("550") == true)
            try await Task.sleep(for: .milliseconds(800))
            #expect(sink.messages().map(\.status) == [550])
        }
    }

    @Test(arguments: StoreKind.allCases)
    func deliveriesAreForOwnersAndAdminsOfTheAccountOnly(_ kind: StoreKind) async throws {
        try await Self.live(kind) { sink, world, client in
            _ = try await Self.invite(client, world, "paged@example.com")
            _ = try await Self.invite(client, world, "paged2@example.com")
            _ = try await sink.wait { $0.count >= 2 }
            let admin = try await client.call(.get, "/v1/notifications/deliveries?limit=1", as: world.token("admin"))
            #expect(admin.code == 200 && admin.items.count == 1, "\(admin.text)")
            let cursor = try #require(admin["next_cursor"]?.stringValue)
            let second = try await client.call(.get, "/v1/notifications/deliveries?limit=1&cursor=\(cursor.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)", as: world.token("admin"))
            #expect(second.items.count == 1 && second.items.first?["id"] != admin.items.first?["id"])
            #expect(second["next_cursor"] == .null)
            let estimator = try await client.call(.get, "/v1/notifications/deliveries", as: world.token("estimator"))
            #expect(estimator.code == 403)
            let other = try await world.otherAccount()
            let rival = try await client.call(.get, "/v1/notifications/deliveries", as: other.token)
            // Only its own messages (the seeded member's invitation, mailed once the consumer reaches it).
            #expect(rival.code == 200 && rival.items.allSatisfy { $0["recipient"]?.stringValue?.hasSuffix("@rival.example") == true })
            let bad = try await client.call(.get, "/v1/notifications/deliveries?cursor=nope", as: world.token("owner"))
            #expect(bad.code == 400 && bad["code"]?.stringValue == "invalid_cursor")
        }
    }

    @Test(arguments: StoreKind.allCases)
    func withoutSMTPMessagesAreEmlFilesPythonParses(_ kind: StoreKind) async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("apex-mail-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        try await World.with(kind, configure: { c in
            Self.fast(&c)
            c.mail.folder = folder
        }) { world in
            try await WebhookDeliveryTests.serving(world) { client in
                let token = try await Self.invite(client, world, "filed@example.com")
                let items = try await Self.deliveries(client, world) { $0.first?["status"]?.stringValue == "sent" }
                #expect(items.first?["reply"]?.stringValue?.hasPrefix("written to") == true)
                let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".eml") }
                #expect(files.count == 1)
                let file = try #require(files.first.map { folder.appendingPathComponent($0).path })
                let parsed = try await ChildProcess.run("/usr/bin/env", ["python3", "-c", """
                    import sys, email
                    from email import policy
                    m = email.message_from_bytes(open(sys.argv[1], "rb").read(), policy=policy.default)
                    print(m["To"]); print(m["Subject"]); print(m.get_body(("plain",)).get_content())
                    """, file])
                #expect(parsed.status == 0)
                #expect(parsed.output.contains("filed@example.com") && parsed.output.contains("You are invited to Acme Signs") && parsed.output.contains(token))
            }
        }
    }
}
