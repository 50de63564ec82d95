import ApexDomain
import ApexStore
import Foundation
import Testing

/// `apex-cli verify` names a persisted snapshot that differs from the log (and says the log
/// verified), and `apex-cli snapshots drop` deletes the snapshots, after which verify is intact.
@Suite("apex-cli verify and snapshots drop")
struct SnapshotCommandTests {
    @Test func verifyNamesAWrongSnapshotAndDropDeletesIt() async throws {
        let s = try await Scenario.make()
        defer { s.remove() }
        let stream = StreamID.project(s.projectID)
        try await EventStores.withStore(url: s.url) { store in
            var wrong = try ProjectState.replay(try await store.readStream(stream, from: 1, limit: .max, mode: .stored))
            wrong.fields.name = "Not what the events say"
            try await store.saveSnapshot(try StateSnapshot(project: wrong, stream: stream))
        }
        let text = try await s.cli("verify")
        #expect(text.status == 1, "\(text)")
        let lines = text.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first?.hasPrefix("SNAPSHOTS DIFFER FROM THE LOG (the log verified): snapshot_mismatch at stream \(stream.rawValue), version 7") == true, "\(text.stdout)")
        #expect(lines.last?.contains("apex-cli snapshots drop") == true, "\(text.stdout)")
        let json = try CLI.object(try await s.cli("verify", "--json").stdout)
        #expect((json["first_failure"] as? [String: Any])?["kind"] as? String == "snapshot_mismatch")
        #expect(json["streams_failed"] as? Int == 0)

        let dropped = try await s.cli("snapshots", "drop")
        #expect(dropped.status == 0 && dropped.stdout == "dropped 1 snapshots\n", "\(dropped)")
        let intact = try await s.cli("verify")
        #expect(intact.status == 0 && intact.stdout.hasPrefix("intact: "), "\(intact)")
    }
}
