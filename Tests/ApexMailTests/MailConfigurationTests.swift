@testable import ApexMail
import ApexStore
import Foundation
import Testing

/// `APEX_SMTP_URL(_FILE)`, `APEX_MAIL_FROM`, `APEX_MAIL_RETRY_SCHEDULE` and the default transport.
struct MailConfigurationTests {
    @Test func theURLMayComeFromAFile() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("smtp-url-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: file) }
        try Data("smtp://u:topsecret@relay.example:587?starttls=required\n".utf8).write(to: file)
        let c = try MailConfiguration(environment: ["APEX_SMTP_URL_FILE": file.path, "APEX_MAIL_FROM": "Apex <a@b.example>", "APEX_MAIL_RETRY_SCHEDULE": "1s,2s"])
        #expect(c.smtp?.host == "relay.example" && c.smtp?.port == 587 && c.smtp?.startTLS == .required)
        #expect(c.from == "Apex <a@b.example>" && c.retrySchedule.delays == [.seconds(1), .seconds(2)])
        #expect(!c.transport.description.contains("topsecret"))
    }

    @Test func withoutSMTPMailGoesToFiles() throws {
        var c = try MailConfiguration(environment: [:])
        c.folder = URL(fileURLWithPath: "/tmp/apex-data/mail")
        #expect(c.smtp == nil)
        guard case .folder(let folder) = c.transport else { Issue.record("expected .eml files"); return }
        #expect(folder.url.path == "/tmp/apex-data/mail")
    }

    @Test func badSettingsAreRefusedWithoutRepeatingThem() {
        #expect(throws: MailError.self) { try MailConfiguration(environment: ["APEX_MAIL_FROM": "nobody"]) }
        #expect(throws: MailError.self) { try MailConfiguration(environment: ["APEX_MAIL_RETRY_SCHEDULE": "soon"]) }
        #expect(throws: MailError.self) { try MailConfiguration(environment: ["APEX_SMTP_URL_FILE": "/nonexistent/file"]) }
        do { _ = try MailConfiguration(environment: ["APEX_SMTP_URL": "smtp://u:topsecret@x?nope=1"]) } catch {
            #expect(!error.description.contains("topsecret"))
        }
    }
}
