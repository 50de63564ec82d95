import ApexDomain
import ApexMail
import ApexServer
import ApexStore
import ApexTestSupport
import ApexWeb
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

/// `POST /v1/sign-in-links {email}` end to end, on SQLite and PostgreSQL: the real router on a
/// real socket with the consumers (the `sign-in-addresses` blind index among them) and the mail
/// sender running beside it, mailing to an `aiosmtpd` sink on loopback (``SMTPSink``).
@Suite("Sign-in links by email", .serialized)
struct SignInLinkRequestTests {
    static func ask(_ client: any TestClientProtocol, _ email: String) async throws -> Reply {
        try await client.call(.post, "/v1/sign-in-links", json: ["email": .string(email)])
    }

    /// The link in `mail`'s text under the world's public address.
    static func link(_ mail: SMTPSink.Message, _ world: World) throws -> String {
        let text = try #require(mail.text)
        let start = try #require(text.range(of: world.configuration.publicBaseURL + "/ui/sign-in?token="))
        return String(text[start.lowerBound...].prefix { !$0.isWhitespace })
    }

    /// Opens `link`'s page, spends it by its form, and returns the session cookie.
    static func signIn(_ client: any TestClientProtocol, link: String, _ world: World) async throws -> String {
        let path = String(link.dropFirst(world.configuration.publicBaseURL.count))
        let page = try await client.call(.get, path)
        #expect(page.code == 200 && page.text.contains("action=\"/ui/sign-in\""), "\(page.text)")
        let token = String(path.split(separator: "token=").last!)
        let signedIn = try await client.call(.post, "/ui/sign-in", raw: "token=\(token)", headers: WebSessionTests.form)
        #expect(signedIn.code == 303 && signedIn.headers[.location] == "/ui/projects", "\(signedIn.text)")
        let setCookie = try #require(signedIn.headers[.setCookie])
        return String(setCookie.split(separator: ";")[0].dropFirst("apex_session=".count))
    }

    @Test(arguments: StoreKind.allCases)
    func aKnownAddressGetsOneLinkThatSignsInAndTheAnswerIsTheSameForAnUnknownOne(_ kind: StoreKind) async throws {
        try await MailDeliveryTests.live(kind) { sink, world, client in
            let known = try await Self.ask(client, "  Estimator@ACME.example ")
            let unknown = try await Self.ask(client, "nobody@acme.example")
            #expect(known.code == 202 && unknown.code == 202, "\(known.text) \(unknown.text)")
            #expect(known.text == unknown.text && known.headers[.contentType] == unknown.headers[.contentType])
            let mail = try #require(try await sink.wait { !$0.isEmpty }.first)
            try await Task.sleep(for: .milliseconds(800))
            #expect(sink.messages().count == 1, "\(sink.messages().map(\.recipients))")
            #expect(mail.recipients == ["estimator@acme.example"] && mail.subject == "Your sign-in link for Acme Signs on Apex")
            #expect(mail.types == ["multipart/alternative", "text/plain", "text/html"] && mail.defects.isEmpty)
            let link = try Self.link(mail, world)
            #expect(mail.html?.contains("href=\"\(link)\"") == true, "\(mail.html ?? "")")
            #expect(mail.text?.contains("expires on") == true && mail.text?.contains(" GMT") == true, "\(mail.text ?? "")")
            let cookie = try await Self.signIn(client, link: link, world)
            let projects = try await client.call(.get, "/ui/projects", headers: WebSessionTests.session(cookie))
            #expect(projects.code == 200 && projects.text.contains("Pylon"), "\(projects.code)")
            // The link works once.
            let token = String(link.split(separator: "token=").last!)
            #expect(try await client.call(.post, "/ui/sign-in", raw: "token=\(token)", headers: WebSessionTests.form).code == 400)
            // The delivery is listed for the account's owners, with no address of the request in the log's events.
            let items = try await MailDeliveryTests.deliveries(client, world) { $0.contains { $0["template"]?.stringValue == "sign_in_link" } }
            #expect(items.filter { $0["template"]?.stringValue == "sign_in_link" }.count == 1)
            let events = try await world.store.readAll(after: 0, limit: 100_000)
            #expect(!events.contains { "\($0.data)".contains("nobody@acme.example") })
        }
    }

    @Test(arguments: StoreKind.allCases)
    func anErasedOrRemovedUsersAddressGetsNothingAndMailIsInTheRecipientsLanguage(_ kind: StoreKind) async throws {
        try await MailDeliveryTests.live(kind) { sink, world, client in
            let spanish = try await client.call(.patch, "/v1/me/preferences", as: world.token("client"), json: ["locale": "es"])
            #expect(spanish.code == 200, "\(spanish.text)")
            let erased = try await client.call(
                .post, "/v1/users/\(world.user("member").lowercased)/erase", as: world.token("owner"), json: ["reason": "asked to be forgotten"])
            #expect(erased.code == 200, "\(erased.text)")
            let removed = try await client.call(
                .delete, "/v1/users/\(world.user("estimator").lowercased)", as: world.token("owner"), json: ["reason": "left"])
            #expect(removed.code == 204 || removed.code == 200, "\(removed.text)")
            _ = try await sink.wait { !$0.isEmpty }  // the removal's own message
            for address in ["member@acme.example", "estimator@acme.example"] {
                #expect(try await Self.ask(client, address).code == 202)
            }
            #expect(try await Self.ask(client, "client@acme.example").code == 202)
            let got = try await sink.wait { $0.count >= 2 }
            try await Task.sleep(for: .milliseconds(800))
            let all = sink.messages()
            #expect(all.count == 2, "\(all.map(\.recipients)) \(all.map(\.subject))")
            #expect(all.filter { $0.recipients == ["estimator@acme.example"] }.map(\.subject) == ["You were removed from Acme Signs"])
            let toClient = try #require(got.first { $0.recipients == ["client@acme.example"] })
            #expect(toClient.subject == "Su enlace para entrar en Acme Signs en Apex")
            #expect(toClient.text?.hasPrefix("Hola") == true && toClient.text?.contains(" de 20") == true, "\(toClient.text ?? "")")
            #expect(toClient.html?.contains("lang=\"es\"") == true)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func theIndexRebuiltFromTheLogFindsTheSameAddresses(_ kind: StoreKind) async throws {
        try await MailDeliveryTests.live(kind) { sink, world, client in
            let erased = try await client.call(
                .post, "/v1/users/\(world.user("member").lowercased)/erase", as: world.token("owner"), json: ["reason": "asked to be forgotten"])
            #expect(erased.code == 200, "\(erased.text)")
            #expect(try await Self.ask(client, "engineer@acme.example").code == 202)
            _ = try await sink.wait { $0.count >= 1 }
            // `apex-cli projections rebuild sign-in-addresses` resets the consumer: the next
            // request catches the emptied index up from position 0.
            try await world.store.resetConsumer(SignInAddressConsumer.consumerName)
            for address in ["member@acme.example", "engineer@acme.example"] { #expect(try await Self.ask(client, address).code == 202) }
            _ = try await sink.wait { $0.count >= 2 }
            try await Task.sleep(for: .milliseconds(800))
            #expect(sink.messages().map(\.recipients) == [["engineer@acme.example"], ["engineer@acme.example"]])
            let position = try await world.store.consumerPositions().first { $0.name == SignInAddressConsumer.consumerName }?.position
            #expect(position == (try await world.store.headPosition()))
        }
    }

    @Test(arguments: StoreKind.allCases)
    func anAddressInTwoAccountsGetsOneLinkPerAccountEachSigningInThere(_ kind: StoreKind) async throws {
        try await MailDeliveryTests.live(kind) { sink, world, client in
            var rival = Seeder(store: world.store, account: UUID())
            let owner = UUID()
            try await rival.account(.create(accountID: rival.account, name: "Rival Signs", ownerID: owner, ownerName: "Rita", ownerEmail: "admin@ACME.example"))
            #expect(try await Self.ask(client, "admin@acme.example").code == 202)
            let got = try await sink.wait { $0.count >= 2 }
            try await Task.sleep(for: .milliseconds(800))
            #expect(sink.messages().count == 2)
            #expect(Set(got.compactMap(\.subject)) == ["Your sign-in link for Acme Signs on Apex", "Your sign-in link for Rival Signs on Apex"])
            let rivalMail = try #require(got.first { $0.subject?.contains("Rival") == true })
            let cookie = try await Self.signIn(client, link: try Self.link(rivalMail, world), world)
            let me = try await client.call(.get, "/v1/me", headers: WebSessionTests.session(cookie))
            #expect(me.code == 200 && me.text.contains(rival.account.lowercased), "\(me.text)")
        }
    }

    @Test(arguments: StoreKind.allCases)
    func anAddressGetsAtMostFiveRequestsAnHourKnownOrNot(_ kind: StoreKind) async throws {
        try await MailDeliveryTests.live(kind) { sink, world, client in
            for address in ["owner@acme.example", "nobody@acme.example"] {
                for _ in 0..<5 { #expect(try await Self.ask(client, address).code == 202) }
                let refused = try await Self.ask(client, address.uppercased())
                #expect(refused.code == 429 && refused["code"]?.stringValue == "rate_limited", "\(refused.text)")
                #expect(refused.headers[.contentType] == "application/problem+json")
                #expect(Int(refused.headers[.retryAfter] ?? "") ?? 0 > 3000, "\(refused.headers)")
                #expect(!refused.text.contains("acme.example"))
            }
            #expect(try await Self.ask(client, "client@acme.example").code == 202, "another address is not limited")
            _ = try await sink.wait { $0.count >= 6 }
            try await Task.sleep(for: .milliseconds(800))
            let all = sink.messages()
            #expect(all.filter { $0.recipients == ["owner@acme.example"] }.count == 5 && all.count == 6, "\(all.map(\.recipients))")
        }
    }

    @Test(arguments: StoreKind.allCases)
    func aMissingOrMalformedAddressIsAProblem(_ kind: StoreKind) async throws {
        try await World.with(kind) { world in
            try await world.test { client in
                let missing = try await client.call(.post, "/v1/sign-in-links", json: [:])
                #expect(missing.code == 400 && missing["code"]?.stringValue == "missing_field", "\(missing.text)")
                let extra = try await client.call(.post, "/v1/sign-in-links", json: ["email": "a@b.example", "user": "x"])
                #expect(extra.code == 400 && extra["code"]?.stringValue == "unknown_field", "\(extra.text)")
                for bad in ["not-an-address", "a@b", "@b.example", "a b@c.example", "a@b@c.example", ""] {
                    let reply = try await client.call(.post, "/v1/sign-in-links", json: ["email": .string(bad)])
                    #expect(reply.code == 422 && reply["code"]?.stringValue == "invalid_input" && reply["field"]?.stringValue == "email", "\(bad): \(reply.text)")
                    #expect(reply.headers[.contentType] == "application/problem+json")
                }
                let notJSON = try await client.call(.post, "/v1/sign-in-links", raw: "{")
                #expect(notJSON.code == 400, "\(notJSON.text)")
            }
        }
    }
}
