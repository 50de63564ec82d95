import Foundation
import Testing

/// `replay --at-time` before a project's first event: the project did not exist yet, said as an
/// error like the one for a project the store does not hold, never an empty draft at version 0.
@Suite("apex-cli replay --at-time before the project existed")
struct ReplayAtTimeTests {
    @Test func aTimeBeforeTheFirstEventSaysTheProjectDidNotExistYet() async throws {
        let s = try await Scenario.make()
        defer { s.remove() }
        let project = s.projectID.uuidString
        let before = try await s.cli("replay", "--project", project, "--at-time", "2000-01-01T00:00:00Z")
        #expect(before.status != 0, "\(before)")
        #expect(before.stdout.isEmpty, "no state is printed: \(before)")
        #expect(before.stderr.contains("project_not_yet_created") && before.stderr.contains("did not exist yet at 2000-01-01T00:00:00Z"), "\(before)")

        let json = try await s.cli("replay", "--project", project, "--at-time", "2000-01-01T00:00:00Z", "--json")
        #expect(json.status == before.status)
        let error = try #require(try CLI.object(json.stdout)["error"] as? [String: Any], "\(json)")
        #expect(error["code"] as? String == "project_not_yet_created")
        #expect((error["message"] as? String)?.contains("first event was recorded at") == true, "\(error)")

        // The same shape and exit status as a project the store does not hold.
        let missing = try await s.cli("replay", "--project", UUID().uuidString, "--json")
        #expect(missing.status == before.status, "\(missing)")
        #expect((try CLI.object(missing.stdout)["error"] as? [String: Any])?["code"] as? String == "project_not_found")

        // A time after the first event still replays.
        let now = try CLI.object(try await s.cli("replay", "--project", project, "--at-time", "2999-01-01T00:00:00Z", "--json").stdout)
        #expect(now["status"] as? String == "approved")
    }
}
