import ApexChildProcess
import ApexDomain
import ApexTestSupport
import Foundation
import NIOHTTP1
import Testing

/// `apex-cli serve` SIGKILLed while an SMTP server holds its message (the data sent, the final
/// `.` never answered): the next server, against a working SMTP server, delivers every message
/// once more at most, with the `Message-ID` of the first attempt, and loses none.
@Suite("Mail survives SIGKILL mid-send")
struct MailCrashTests {
    @Test func aMessageCutOffMidSendIsDeliveredAfterTheRestartWithItsMessageID() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("apex-mail-crash-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        var environment = [
            "APEX_STORE_URL": "sqlite:" + folder.appendingPathComponent("apex.sqlite").path, "APEX_JWT_SECRET": "mail-crash-test-secret-0123456789-abcdefghij",
            // A 2 s answer timeout: a claim lapses after 25 s (ten timeouts and 5 s).
            "APEX_SMTP_TIMEOUT": "2s", "APEX_MAIL_RETRY_SCHEDULE": "500ms,500ms,500ms,500ms",
        ]
        let created = try await CLI.run(
            ["account", "create", "--name", "Acme Signs", "--owner-email", "owner@acme.test", "--owner-name", "Olive Owner", "--json"],
            environment: environment)
        try #require(created.status == 0, "\(created)")
        let owner = try #require(try CLI.object(created.stdout)["token"] as? String)
        let invitees = ["first@example.com", "second@example.com"]

        let stalled = try await SMTPSink.with(.stall) { staller in
            environment["APEX_SMTP_URL"] = staller.url
            return try await ServeProcess.withProcess(["serve"], environment: environment, token: owner) { server, process in
                for email in invitees {
                    let invited = try await server.call(.POST, "/v1/invitations", json: ["email": .string(email), "role": "estimator"])
                    try #require(invited.status == 201, "\(invited.text)")
                }
                let got = try await staller.wait(timeout: .seconds(30)) { !$0.isEmpty }
                try process.send(SIGKILL)
                try #require(!got.isEmpty, "the stalling SMTP server never got a message's data")
                return staller.messages()
            }
        }
        #expect(stalled.allSatisfy { $0.status == 0 })

        try await SMTPSink.with { sink in
            environment["APEX_SMTP_URL"] = sink.url
            try await ServeProcess.with(["serve"], environment: environment, token: owner) { server in
                let got = try await sink.wait(timeout: .seconds(90)) { messages in
                    Set(messages.filter { $0.status == 250 }.flatMap(\.recipients)) == Set(invitees)
                }
                try await Task.sleep(for: .seconds(1))
                let delivered = sink.messages()
                #expect(Set(got.flatMap(\.recipients)) == Set(invitees), "nothing is lost: \(got.map(\.recipients))")
                for email in invitees {
                    let copies = delivered.filter { $0.recipients == [email] }
                    #expect(copies.count == 1, "delivered once after the restart: \(email)")
                    let cut = stalled.filter { $0.recipients == [email] }
                    #expect(cut.count + copies.count <= 2, "at most twice in all: \(email)")
                    let ids = Set((cut + copies).map(\.messageID))
                    #expect(ids.count == 1 && ids.first! != nil, "one Message-ID for every copy of \(email): \(ids)")
                }
                #expect(stalled.contains { $0.recipients.contains(invitees[0]) || $0.recipients.contains(invitees[1]) })
                let deliveries = try await server.call(.GET, "/v1/notifications/deliveries")
                #expect(deliveries.status == 200)
                let items = deliveries["items"]?.arrayValue ?? []
                #expect(items.count == 2 && items.allSatisfy { $0["status"]?.stringValue == "sent" }, "\(deliveries.text)")
            }
        }
    }
}
