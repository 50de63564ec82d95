import ApexChildProcess
import ApexDomain
import ApexTestSupport
import Foundation
import NIOHTTP1
import Testing

/// `apex-cli notify digest --now`: every due digest at once, written as an `.eml` file when no
/// SMTP server is configured, and never twice for one period.
@Suite("apex-cli notify digest")
struct NotifyCommandTests {
    @Test func digestNowMailsTheDueDigestOnce() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("apex-notify-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let environment = [
            "APEX_STORE_URL": "sqlite:" + folder.appendingPathComponent("apex.sqlite").path, "APEX_JWT_SECRET": "notify-command-test-secret-0123456789-abcdef",
        ]
        let created = try await CLI.run(
            ["account", "create", "--name", "Acme Signs", "--owner-email", "owner@acme.test", "--owner-name", "Olive Owner", "--json"],
            environment: environment)
        try #require(created.status == 0, "\(created)")
        let owner = try #require(try CLI.object(created.stdout)["token"] as? String)
        try await ServeProcess.with(["serve"], environment: environment, token: owner) { server in
            let set = try await server.call(.PATCH, "/v1/me/preferences", json: ["email": ["digest": "daily"]])
            try #require(set.status == 200, "\(set.text)")
            let project = try await server.call(.POST, "/v1/projects", json: ["name": "Digest pylon"])
            try #require(project.status == 201, "\(project.text)")
            // Until the email consumer has read the project's creation.
            let deadline = ContinuousClock.now + .seconds(30)
            while ContinuousClock.now < deadline {
                let listed = try await CLI.run(["consumers", "--json"], environment: environment)
                let consumers = try CLI.object(listed.stdout)["consumers"] as? [[String: Any]] ?? []
                if let email = consumers.first(where: { $0["name"] as? String == "email" }), email["lag"] as? Int == 0 { break }
                try await Task.sleep(for: .milliseconds(200))
            }
        }
        let sent = try await CLI.run(["notify", "digest", "--now", "--json"], environment: environment)
        try #require(sent.status == 0, "\(sent)")
        #expect(try CLI.object(sent.stdout)["digests_queued"] as? Int == 1, "\(sent)")
        let mail = folder.appendingPathComponent("mail")
        let files = try FileManager.default.contentsOfDirectory(atPath: mail.path).filter { $0.hasSuffix(".eml") }
        #expect(files.count == 1, "\(files)")
        let parsed = try await ChildProcess.run("/usr/bin/env", ["python3", "-c", """
            import sys, email
            from email import policy
            m = email.message_from_bytes(open(sys.argv[1], "rb").read(), policy=policy.default)
            print(m["To"]); print(m["Subject"]); print(m.get_body(("plain",)).get_content())
            """, mail.appendingPathComponent(try #require(files.first)).path])
        #expect(parsed.status == 0)
        #expect(parsed.output.contains("owner@acme.test") && parsed.output.contains("Your daily Apex digest: what changed in Acme Signs"), "\(parsed.output)")
        #expect(parsed.output.contains("Digest pylon: changes: 1, now draft"), "\(parsed.output)")
        let again = try await CLI.run(["notify", "digest", "--now", "--json"], environment: environment)
        try #require(again.status == 0, "\(again)")
        #expect(try CLI.object(again.stdout)["digests_queued"] as? Int == 0, "\(again)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: mail.path).filter { $0.hasSuffix(".eml") }.count == 1)
    }
}
