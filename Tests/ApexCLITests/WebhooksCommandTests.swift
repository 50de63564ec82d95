import ApexDomain
import ApexStore
import ApexTestSupport
import ApexWebhooks
import Foundation
import Testing

/// `apex-cli webhooks deliveries --account ID [--json]`: an account's webhook messages for
/// operators, only that account's; a malformed account id is an error, exit non-zero.
@Suite("apex-cli webhooks deliveries")
struct WebhooksCommandTests {
    @Test(arguments: ForensicCommandTests.Kind.allCases)
    func listsAnAccountsMessagesAndOnlyThose(kind: ForensicCommandTests.Kind) async throws {
        try await ForensicCommandTests.withScenario(kind) { s in
            let account = UUID(), other = UUID(), endpoint = UUID()
            let id = try await EventStores.withStore(url: s.url) { store in
                let webhooks = WebhookStore(store: store)
                try await webhooks.prepare()
                _ = try await webhooks.enqueueTest(endpoint: UUID(), account: other, now: Date())
                return try await webhooks.enqueueTest(endpoint: endpoint, account: account, now: Date())
            }
            let listed = try await s.cli("webhooks", "deliveries", "--account", account.uuidString, "--json")
            #expect(listed.status == 0, "\(listed)")
            let items = try #require(try CLI.object(listed.stdout)["items"] as? [[String: Any]])
            #expect(items.count == 1)
            #expect(items.first?["id"] as? String == id)
            #expect(items.first?["event_type"] as? String == "webhook.test" && items.first?["status"] as? String == "pending")
            let text = try await s.cli("webhooks", "deliveries", "--account", account.uuidString)
            #expect(text.status == 0 && text.stdout.hasPrefix("MESSAGE\tWEBHOOK\tEVENT TYPE\tSTATUS") && text.stdout.contains(id), "\(text)")
            let none = try await s.cli("webhooks", "deliveries", "--account", UUID().uuidString)
            #expect(none.status == 0 && none.stdout.hasPrefix("no webhook messages"), "\(none)")
            let bad = try await s.cli("webhooks", "deliveries", "--account", "acme")
            #expect(bad.status != 0)
        }
    }
}
