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

/// The triggers beyond invitations, removals and status changes: an approved calculation, a
/// disabled webhook endpoint, and the invitation's acceptance link, each against the real
/// router, consumers and sender and an `aiosmtpd` server on loopback.
@Suite("Mail triggers", .serialized)
struct MailTriggerTests {
    @Test(arguments: StoreKind.allCases)
    func anApprovedCalculationMailsOwnersAndEstimatorsOnly(_ kind: StoreKind) async throws {
        try await MailDeliveryTests.live(kind) { sink, world, client in
            let project = world.project("own").lowercased
            let run = try await client.call(
                .post, "/v1/projects/\(project)/calculations", as: world.token("engineer"),
                json: ["type": "pole_base_moment", "inputs": ["F": 2000, "y": 15, "Fb": 30]])
            #expect(run.code == 201, "\(run.text)")
            let calc = try #require(run["calculation_id"]?.stringValue)
            let approved = try await client.call(
                .post, "/v1/projects/\(project)/calculations/\(calc)/approve", as: world.token("engineer"), json: ["revision": 1, "reason": "ok"])
            #expect(approved.code == 201, "\(approved.text)")
            let expected: Set<String> = ["owner@acme.example", "owner-nope@acme.example", "estimator@acme.example", "member@acme.example"]
            let got = try await sink.wait { $0.count >= expected.count }
            try await Task.sleep(for: .milliseconds(600))
            #expect(sink.messages().count == expected.count, "\(sink.messages().map(\.recipients))")
            #expect(Set(got.flatMap(\.recipients)) == expected)
            let mail = try #require(got.first)
            #expect(mail.subject == "A calculation on Pylon own was approved")
            #expect(mail.text?.contains("Revision 1 of the pole_base_moment calculation") == true, "\(mail.text ?? "")")
            #expect(got.allSatisfy { $0.defects.isEmpty && $0.types == ["multipart/alternative", "text/plain", "text/html"] })
        }
    }

    @Test(arguments: StoreKind.allCases)
    func aDisabledWebhookMailsTheOwnersOnly(_ kind: StoreKind) async throws {
        try await WebhookReceiver.with { receiver in
            try await SMTPSink.with { sink in
                try await World.with(kind, configure: { c in
                    c.mail.smtp = try! SMTPSettings(url: sink.url)
                    MailDeliveryTests.fast(&c)
                    WebhookDeliveryTests.fast(&c)
                }) { world in
                    try await WebhookDeliveryTests.serving(world) { client in
                        _ = try await WebhookDeliveryTests.create(client, world, receiver, "/gone")
                        _ = try await WebhookDeliveryTests.newProject(client, world, "Gone pylon")
                        let got = try await sink.wait { $0.count >= 2 }
                        try await Task.sleep(for: .milliseconds(600))
                        #expect(sink.messages().count == 2, "\(sink.messages().map(\.recipients))")
                        #expect(Set(got.flatMap(\.recipients)) == ["owner@acme.example", "owner-nope@acme.example"])
                        let mail = try #require(got.first)
                        #expect(mail.subject == "A webhook endpoint of Acme Signs was disabled")
                        #expect(mail.text?.contains(receiver.url("/gone")) == true && mail.text?.contains("410 Gone") == true, "\(mail.text ?? "")")
                    }
                }
            }
        }
    }

    @Test(arguments: StoreKind.allCases)
    func anInvitationCarriesTheAcceptanceLinkUnderThePublicURL(_ kind: StoreKind) async throws {
        try await SMTPSink.with { sink in
            try await World.with(kind, configure: { c in
                c.mail.smtp = try! SMTPSettings(url: sink.url)
                MailDeliveryTests.fast(&c)
                c.publicURL = "https://apex.example/"
            }) { world in
                try await WebhookDeliveryTests.serving(world) { client in
                    let token = try await MailDeliveryTests.invite(client, world, "linked@example.com")
                    let mail = try #require(try await sink.wait { !$0.isEmpty }.first)
                    let query = try #require(token.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~"))))
                    let link = "https://apex.example/ui/invitations/accept?token=\(query)"
                    #expect(mail.text?.contains(link) == true, "\(mail.text ?? "")")
                    #expect(mail.html?.contains("href=\"\(link)\"") == true, "\(mail.html ?? "")")
                }
            }
        }
    }
}
