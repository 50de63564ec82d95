import ApexChildProcess
import ApexDomain
import ApexTestSupport
import Foundation
import NIOHTTP1
import Testing

/// `apex-cli serve` killed with SIGKILL right after a commit, before the event could reach the
/// endpoint (its receiver is not even up yet): the next server delivers it, signed, because
/// delivery is driven by the checkpointed log and an outbox in the store, not by memory.
@Suite("Webhooks survive SIGKILL")
struct WebhookCrashTests {
    @Test func anEventCommittedBeforeAKillIsDeliveredAfterTheRestart() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("apex-webhook-crash-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let environment = [
            "APEX_STORE_URL": "sqlite:" + folder.appendingPathComponent("apex.sqlite").path, "APEX_JWT_SECRET": "webhook-crash-tests-jwt-secret-0123456789abcdef",
            "APEX_WEBHOOK_ALLOW_HTTP": "1", "APEX_WEBHOOK_ALLOW_PRIVATE": "1", "APEX_WEBHOOK_TIMEOUT": "2s",
            "APEX_WEBHOOK_RETRY_SCHEDULE": "500ms,500ms,500ms,500ms,500ms,500ms,500ms,500ms",
        ]
        let created = try await CLI.run(
            ["account", "create", "--name", "Acme Signs", "--owner-email", "owner@acme.test", "--owner-name", "Olive Owner", "--json"],
            environment: environment)
        try #require(created.status == 0, "\(created)")
        let owner = try #require(try CLI.object(created.stdout)["token"] as? String)
        let port = try FreePort.find()
        let url = "http://127.0.0.1:\(port)/ok"

        let secret = try await ServeProcess.withProcess(["serve"], environment: environment, token: owner) { server, process in
            let hook = try await server.call(.POST, "/v1/webhooks", json: ["url": .string(url), "event_types": ["project.*"]])
            try #require(hook.status == 201, "\(hook.text)")
            let project = try await server.call(.POST, "/v1/projects", json: ["name": "Crash pylon"])
            try #require(project.status == 201, "\(project.text)")
            try process.send(SIGKILL)
            return try #require(hook["secret"]?.stringValue)
        }
        try await WebhookReceiver.with(port: port) { receiver in
            try receiver.setSecrets([secret], for: "/ok")
            try await ServeProcess.with(["serve"], environment: environment, token: owner) { _ in
                let got = try await receiver.waitFor(1, at: "/ok", timeout: .seconds(60))
                let delivered = try #require(got.first { $0.body.contains("\"project.created\"") }, "\(got)")
                #expect(delivered.verified == [true])
                #expect(delivered.body.contains("Crash pylon"))
            }
        }
    }
}
