import ApexDomain
import Foundation
import Testing

/// Files in the project fold: uploads and revisions, scans, deletes and links, decided and replayed with no I/O.
@Suite struct FileReplayTests {
    static let fileID = DomainFixtures.uuid(1, prefix: "f")
    static func content(_ text: String, name: String = "plan.pdf") -> FileContent {
        FileContent(name: name, contentType: "application/pdf", size: Int64(text.utf8.count), sha256: String(repeating: "a", count: 63) + "\(text.count % 10)")
    }

    @Test func uploadReviseScanDeleteFoldIntoTheState() throws {
        var s = try ProjectScenario.created()
        try s.run(.uploadFile(fileID: Self.fileID, content: Self.content("one"), status: .unscanned))
        try s.run(.reviseFile(fileID: Self.fileID, content: Self.content("second", name: "plan-b.pdf"), status: .pendingScan))
        var record = try #require(s.state.files[Self.fileID])
        #expect(record.revisions.map(\.revision) == [1, 2])
        #expect(record.latest.content.name == "plan-b.pdf")
        #expect(record.latest.status == .pendingScan)
        #expect(!record.latest.status.isServable)
        #expect(record.revisions[0].createdAt == s.stamper.time(ofVersion: 2))
        try s.run(.recordFileScan(FileScanned(fileID: Self.fileID, revision: 2, result: .infected, engine: "ClamAV", signature: "Eicar")))
        record = try #require(s.state.files[Self.fileID])
        #expect(record.latest.status == .infected)
        #expect(record.latest.signature == "Eicar")
        #expect(s.refusal(.recordFileScan(FileScanned(fileID: Self.fileID, revision: 2, result: .clean)))?.code == .alreadyExists)
        try s.run(.createFileLink(fileID: Self.fileID, revision: 1, expiresAt: DomainFixtures.now))
        try s.run(.deleteFile(fileID: Self.fileID, reason: "withdrawn"))
        #expect(s.state.files[Self.fileID]?.deleted == true)
        // Replay gives the same state, and the state round-trips through its encoding.
        #expect(try ProjectState.replay(s.events) == s.state)
        let decoded = try JSONDecoder().decode(ProjectState.self, from: try JSONEncoder().encode(s.state))
        #expect(decoded == s.state)
        #expect(s.state.auditJSON["files"]?[Self.fileID.lowercased]?["deleted"] == .bool(true))
    }

    @Test func theDeciderRefusesWhatAFileMayNotBe() throws {
        var s = try ProjectScenario.created()
        #expect(s.refusal(.uploadFile(fileID: Self.fileID, content: Self.content(""), status: .unscanned))?.field == "file")
        for bad in ["", ".", "..", "a/b", "a\\b", "a\u{0}b", String(repeating: "x", count: 256)] {
            var c = Self.content("x")
            c.name = bad
            #expect(s.refusal(.uploadFile(fileID: Self.fileID, content: c, status: .unscanned)) != nil, "\(bad.debugDescription)")
        }
        var badType = Self.content("x")
        badType.contentType = "pdf"
        #expect(s.refusal(.uploadFile(fileID: Self.fileID, content: badType, status: .unscanned))?.field == "file.content_type")
        #expect(s.refusal(.uploadFile(fileID: Self.fileID, content: Self.content("x"), status: .clean))?.field == "status")
        #expect(s.refusal(.reviseFile(fileID: Self.fileID, content: Self.content("x"), status: .unscanned))?.code == .notFound)
        try s.run(.uploadFile(fileID: Self.fileID, content: Self.content("x"), status: .unscanned))
        #expect(s.refusal(.uploadFile(fileID: Self.fileID, content: Self.content("x"), status: .unscanned))?.code == .alreadyExists)
        #expect(s.refusal(.deleteFile(fileID: Self.fileID, reason: nil))?.code == .reasonRequired)
        #expect(s.refusal(.createFileLink(fileID: Self.fileID, revision: 2, expiresAt: DomainFixtures.now))?.code == .notFound)
        try s.run(.deleteFile(fileID: Self.fileID, reason: "gone"))
        #expect(s.refusal(.reviseFile(fileID: Self.fileID, content: Self.content("x"), status: .unscanned))?.code == .notFound)
        #expect(s.refusal(.deleteFile(fileID: Self.fileID, reason: "again"))?.code == .notFound)
    }

    @Test func onlyAServableRevisionGetsOneThumbnail() throws {
        var s = try ProjectScenario.created()
        let image = FileThumbnail(sha256: String(repeating: "b", count: 64), contentType: "image/png", size: 900, width: 256, height: 171)
        try s.run(.uploadFile(fileID: Self.fileID, content: Self.content("one"), status: .pendingScan))
        let made = FileThumbnailCreated(fileID: Self.fileID, revision: 1, image: image)
        #expect(s.refusal(.recordFileThumbnail(made))?.code == .invalidTransition)
        try s.run(.recordFileScan(FileScanned(fileID: Self.fileID, revision: 1, result: .clean, engine: "ClamAV 1.4.6")))
        #expect(s.refusal(.recordFileThumbnail(FileThumbnailCreated(fileID: Self.fileID, revision: 2, image: image)))?.code == .notFound)
        var tooBig = image
        tooBig.width = 257
        #expect(s.refusal(.recordFileThumbnail(FileThumbnailCreated(fileID: Self.fileID, revision: 1, image: tooBig)))?.code == .invalidInput)
        var jpeg = image
        jpeg.contentType = "image/jpeg"
        #expect(s.refusal(.recordFileThumbnail(FileThumbnailCreated(fileID: Self.fileID, revision: 1, image: jpeg)))?.code == .invalidInput)
        try s.run(.recordFileThumbnail(made))
        #expect(s.state.files[Self.fileID]?.latest.thumbnail == image)
        #expect(s.refusal(.recordFileThumbnail(made))?.code == .alreadyExists)
        #expect(try ProjectState.replay(s.events) == s.state)
        #expect(try JSONDecoder().decode(ProjectState.self, from: try JSONEncoder().encode(s.state)) == s.state)
    }

    @Test func anArchivedProjectTakesNoFiles() throws {
        var s = try ProjectScenario.created()
        try s.run(.changeStatus(to: .archived, reason: "closed"))
        #expect(s.refusal(.uploadFile(fileID: Self.fileID, content: Self.content("x"), status: .unscanned))?.code == .readOnly)
    }

    @Test func onlyUnscannedAndCleanAreServed() {
        #expect(FileScanStatus.allCases.filter(\.isServable) == [.unscanned, .clean])
    }
}
