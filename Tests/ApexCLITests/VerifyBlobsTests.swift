import ApexDomain
import ApexFiles
import ApexStore
import Crypto
import Foundation
import NIOCore
import Testing

/// `apex-cli verify --blobs` reads every blob the log names: intact ones pass, and a missing or
/// altered blob is a failure named at the event that recorded it (exit 1); plain `verify`
/// checks the log alone.
@Suite struct VerifyBlobsTests {
    @Test func verifyBlobsNamesAMissingAndAnAlteredBlob() async throws {
        let s = try await Scenario.make()
        defer { s.remove() }
        let blobs = LocalBlobStore(root: s.folder.appendingPathComponent("blobs"))
        let project = UUID()
        func upload(_ text: String, stored: Bool) async throws -> FileContent {
            let bytes = Data(text.utf8)
            var content = FileContent(
                name: "\(text).pdf", contentType: "application/pdf", size: Int64(bytes.count),
                sha256: SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined())
            if stored {
                let writer = try await blobs.makeWriter()
                try await writer.write(ByteBuffer(bytes: bytes))
                content.sha256 = try await writer.commit().sha256
            }
            try await EventStores.withStore(url: s.url) { store in
                let state = try ProjectState.replay(try await store.readStream(.project(project)))
                let command: ProjectCommand =
                    state.version == 0 ? .create(projectID: project, fields: ProjectFields(name: "Files")) : .uploadFile(fileID: UUID(), content: content, status: .unscanned)
                let drafts = try ProjectDecider.decide(command, state: state, context: DecisionContext(now: Date()))
                _ = try await store.append(
                    drafts.map { $0.proposed(id: UUID(), accountID: s.accountID, actor: .user(s.ownerID)) }, to: .project(project),
                    expected: state.version == 0 ? .noStream : .exact(state.version))
            }
            return content
        }
        _ = try await upload("project", stored: false)  // creates the project
        _ = try await upload("drawing", stored: true)
        let intact = try await s.cli("verify", "--blobs", "--json")
        #expect(intact.status == 0, "\(intact)")

        let missing = try await upload("calculation", stored: false)
        let altered = try await upload("approval", stored: true)
        let path = try #require(FileManager.default.enumerator(atPath: s.file("blobs"))?.compactMap { $0 as? String }.first { $0.hasSuffix(altered.sha256) })
        try Data("not the approval".utf8).write(to: URL(fileURLWithPath: s.file("blobs/\(path)")))

        let report = try await s.cli("verify", "--blobs", "--json")
        #expect(report.status == 1, "\(report)")
        let json = try CLI.object(report.stdout)
        let failures = try #require(json["failures"] as? [[String: Any]])
        #expect(failures.map { $0["kind"] as? String } == ["blob_missing", "blob_altered"])
        #expect((failures[0]["message"] as? String)?.contains(missing.sha256) == true)
        #expect((failures[1]["message"] as? String)?.contains(altered.sha256) == true)
        #expect(failures.allSatisfy { $0["stream"] as? String == "project-\(project.uuidString.lowercased())" })
        #expect(json["failures_total"] as? Int == 2)

        // The log itself is intact: plain verify reads no blob.
        let log = try await s.cli("verify")
        #expect(log.status == 0, "\(log)")
        let text = try await s.cli("verify", "--blobs")
        #expect(text.status == 1 && text.stdout.contains("blob_missing"), "\(text)")
    }
}
