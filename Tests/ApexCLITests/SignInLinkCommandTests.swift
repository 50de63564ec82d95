import Foundation
import Testing

/// `apex-cli token issue --sign-in-link`: a one-time link to the web pages, its base from
/// `--base-url`, else `APEX_PUBLIC_URL`, else the local server's default address.
@Suite struct SignInLinkCommandTests {
    @Test func theLinksBaseIsTheFlagThenAPEX_PUBLIC_URLThenTheLocalServer() async throws {
        let s = try await Scenario.make()
        defer { s.remove() }
        let owner = s.ownerID.uuidString.lowercased()
        func link(_ extra: [String], _ environment: [String: String] = [:]) async throws -> CLIResult {
            try await CLI.run(["token", "issue", "--user", owner, "--sign-in-link"] + extra, environment: s.environment.merging(environment) { $1 })
        }
        let flagged = try await link(["--base-url", "https://apex.example.com/"], ["APEX_PUBLIC_URL": "https://ignored.example.com"])
        #expect(flagged.status == 0 && flagged.stdout.hasPrefix("https://apex.example.com/ui/sign-in?token="), "\(flagged)")
        let public_ = try await link([], ["APEX_PUBLIC_URL": "https://apex.example.org"])
        #expect(public_.status == 0 && public_.stdout.hasPrefix("https://apex.example.org/ui/sign-in?token="), "\(public_)")
        let local = try await link([])
        #expect(local.status == 0 && local.stdout.hasPrefix("http://127.0.0.1:8080/ui/sign-in?token="), "\(local)")
        // Each link is new (its own id), and it is not a bearer token (no JWT's three parts).
        let token = String(local.stdout.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: "=").last ?? "")
        #expect(token.split(separator: ".").count == 2 && !flagged.stdout.contains(token))
        let bad = try await link(["--base-url", "ftp://apex.example.com"])
        #expect(bad.status != 0 && bad.stderr.contains("--base-url"), "\(bad)")
    }
}
