import ApexTestSupport
import Foundation
import Testing

/// `apex-cli serve` refuses a weak secret from the environment or a `_FILE`, with a message
/// naming the variable and never its value.
@Suite("apex-cli serve: weak secrets")
struct ServeSecretsTests {
    @Test(arguments: [
        ("APEX_JWT_SECRET", "too-short-secret-42"),
        ("APEX_FILE_LINK_KEY", String(repeating: "xy", count: 24)),
    ])
    func aWeakSecretStopsServe(_ name: String, _ value: String) async throws {
        let s = try await Scenario.make()
        defer { s.remove() }
        var environment = s.environment
        environment[name] = value
        let run = try await CLI.run(["serve", "--port", String(try FreePort.find())], environment: environment)
        #expect(run.status != 0)
        #expect(run.stderr.contains("\(name) is too weak"), "\(run)")
        #expect(!run.stderr.contains(value) && !run.stdout.contains(value), "the secret was shown")
    }

    @Test func aWeakSecretFromAFileStopsServe() async throws {
        let s = try await Scenario.make()
        defer { s.remove() }
        let path = s.file("jwt-secret-weak")
        try Data(String(repeating: "z", count: 40).utf8).write(to: URL(fileURLWithPath: path))
        var environment = s.environment
        environment["APEX_JWT_SECRET_FILE"] = path
        let run = try await CLI.run(["serve", "--port", String(try FreePort.find())], environment: environment)
        #expect(run.status != 0)
        #expect(run.stderr.contains("APEX_JWT_SECRET is too weak: it has fewer than 10 distinct byte values"), "\(run)")
    }
}
