import ApexDomain
import ApexFiles
import ApexServer
import ApexStore
import ApexTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import Logging
import Testing

/// Virus scanning with a real clamd (`scripts/with-clamd.sh`), on SQLite and PostgreSQL, through
/// the real router and the server's own `file-scanner` consumer: EICAR is quarantined, a clean
/// PDF is served once scanned, and a scanner that does not answer leaves a revision pending
/// until it does.
@Suite struct FileScanningTests {
    @Test(arguments: StoreKind.allCases)
    func eicarIsInfectedAndNeverServedNorLinked(_ kind: StoreKind) async throws {
        let clamd = try TestClamd.address()
        try await World.withFiles(kind, configure: { $0.clamd = clamd }) { world in
            let project = world.project("draft")
            try await world.test { client in
                let up = try await client.upload(project, TestClamd.eicar, as: world.token("engineer"), filename: "invoice.pdf")
                #expect(up.code == 201, "\(up.text)")
                #expect(up["status"]?.stringValue == "pending_scan")
                let fid = try #require(up["file_id"]?.stringValue)
                let base = "/v1/projects/\(project.lowercased)/files/\(fid)"
                expectProblem(try await client.call(.get, base + "/content", as: world.token("owner")), 409, "file_pending_scan")
                let link = try await client.call(.post, base + "/links", as: world.token("owner"), json: [:])
                #expect(link.code == 201, "\(link.text)")
                let url = try #require(link["url"]?.stringValue)
                expectProblem(try await client.call(.get, url), 409, "file_pending_scan")

                try await world.catchUp(FileScanner.consumerName)
                #expect(try await world.fileStatus(project, fid, via: client) == "infected")
                expectProblem(try await client.call(.get, base + "/content", as: world.token("owner")), 409, "file_infected")
                expectProblem(try await client.call(.get, base + "/content?revision=1", as: world.token("admin")), 409, "file_infected")
                expectProblem(try await client.call(.get, url), 409, "file_infected")
                let fresh = try await client.call(.post, base + "/links", as: world.token("owner"), json: [:])
                expectProblem(try await client.call(.get, try #require(fresh["url"]?.stringValue)), 409, "file_infected")
                #expect(!(try await client.call(.get, base + "/content", as: world.token("owner"))).text.contains("EICAR"))
            }
            let scans = try await world.fileEvents(project).filter { $0.type == FileScanned.type }
            #expect(scans.count == 1)
            let scan = try #require(scans.first)
            #expect(scan.data["result"]?.stringValue == "infected")
            #expect(scan.data["signature"]?.stringValue == "Test.EICAR.NDB.UNOFFICIAL")
            #expect(scan.data["engine"]?.stringValue?.hasPrefix("ClamAV ") == true)
            #expect(scan.actor == .service(FileScanner.consumerName))

            // At least once: a replay of the whole log (a reset consumer) appends no second verdict.
            try await world.store.resetConsumer(FileScanner.consumerName)
            try await world.catchUp(FileScanner.consumerName)
            #expect(try await world.fileEvents(project).filter { $0.type == FileScanned.type }.count == 1)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func cleanPDFIsServedOnceScannedOverTCP(_ kind: StoreKind) async throws {
        let clamd = try TestClamd.address(tcp: true)
        let pdf = TestPDF.make()
        try await World.withFiles(kind, configure: { $0.clamd = clamd }) { world in
            let project = world.project("draft")
            try await world.test { client in
                let up = try await client.upload(project, pdf, as: world.token("engineer"))
                #expect(up["status"]?.stringValue == "pending_scan")
                let fid = try #require(up["file_id"]?.stringValue)
                let base = "/v1/projects/\(project.lowercased)/files/\(fid)"
                expectProblem(try await client.call(.get, base + "/content", as: world.token("owner")), 409, "file_pending_scan")
                let ready = try await client.call(.get, "/readyz")
                #expect(ready["virus_scanning"]?.stringValue == "on")

                try await world.catchUp(FileScanner.consumerName)
                #expect(try await world.fileStatus(project, fid, via: client) == "clean")
                let content = try await client.call(.get, base + "/content", as: world.token("owner"))
                #expect(content.code == 200)
                #expect(content.text == pdf)
                let link = try await client.call(.post, base + "/links", as: world.token("owner"), json: [:])
                #expect(try await client.call(.get, try #require(link["url"]?.stringValue)).text == pdf)

                // A second revision waits for its own scan; the first stays served meanwhile.
                let second = try await client.upload(project, TestPDF.make("sheet 2"), as: world.token("engineer"), file: UUID(uuidString: fid))
                #expect(second["status"]?.stringValue == "pending_scan")
                expectProblem(try await client.call(.get, base + "/content", as: world.token("owner")), 409, "file_pending_scan")
                #expect(try await client.call(.get, base + "/content?revision=1", as: world.token("owner")).code == 200)
            }
            let scan = try #require(try await world.fileEvents(project).first { $0.type == FileScanned.type })
            #expect(scan.data["result"]?.stringValue == "clean")
            #expect(scan.data["signature"] == nil || scan.data["signature"] == .null)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func anUnreachableScannerLeavesTheRevisionPendingUntilItAnswers(_ kind: StoreKind) async throws {
        let live = try TestClamd.address()
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("apex-clamd-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let socket = folder.appendingPathComponent("clamd.sock").path
        try await World.withFiles(kind, configure: { $0.clamd = "unix:" + socket }) { world in
            let project = world.project("draft")
            var options = ConsumerRunner.Options()
            options.initialBackoff = .milliseconds(50)
            options.maximumBackoff = .milliseconds(400)
            options.idleWait = .milliseconds(200)
            let runner = ConsumerRunner(try world.consumer(FileScanner.consumerName), store: world.store, options: options, logger: World.logger)
            try await world.test { client in
                let up = try await client.upload(project, TestPDF.make(), as: world.token("engineer"))
                let fid = try #require(up["file_id"]?.stringValue)
                let base = "/v1/projects/\(project.lowercased)/files/\(fid)"
                let running = Task { await runner.run() }
                defer { running.cancel() }
                // The scanner fails (nothing listens there) and the runner records it and retries.
                try await Self.waitUntil("the consumer records the scanner's failure") {
                    try await world.store.consumerPositions().first { $0.name == FileScanner.consumerName }?.lastError?.contains("scanner_unavailable") == true
                }
                try await Task.sleep(for: .milliseconds(300))
                #expect(try await world.fileStatus(project, fid, via: client) == "pending_scan")
                expectProblem(try await client.call(.get, base + "/content", as: world.token("owner")), 409, "file_pending_scan")
                #expect(try await world.fileEvents(project).filter { $0.type == FileScanned.type }.isEmpty)

                // clamd becomes reachable at that address: the next retry scans it.
                try FileManager.default.createSymbolicLink(atPath: socket, withDestinationPath: String(live.dropFirst("unix:".count)))
                try await Self.waitUntil("the revision is scanned once clamd answers") {
                    try await world.fileStatus(project, fid, via: client) == "clean"
                }
                #expect(try await client.call(.get, base + "/content", as: world.token("owner")).code == 200)
            }
            #expect(try await world.fileEvents(project).filter { $0.type == FileScanned.type }.count == 1)
        }
    }

    @Test func aRevisionLeftPendingInADeletedProjectIsScannedOnRestore() async throws {
        let clamd = try TestClamd.address()
        try await World.withFiles(.sqlite, configure: { $0.clamd = clamd }) { world in
            let project = world.project("draft")
            try await world.test { client in
                let up = try await client.upload(project, TestPDF.make(), as: world.token("engineer"))
                let fid = try #require(up["file_id"]?.stringValue)
                let deleted = try await client.call(.delete, "/v1/projects/\(project.lowercased)", as: world.token("owner"), json: ["reason": "duplicate"])
                #expect(deleted.code == 200 || deleted.code == 204, "\(deleted.text)")
                try await world.catchUp(FileScanner.consumerName)
                #expect(try await world.fileEvents(project).filter { $0.type == FileScanned.type }.isEmpty)
                let restored = try await client.call(.post, "/v1/projects/\(project.lowercased)/restore", as: world.token("owner"), json: ["reason": "not a duplicate"])
                #expect(restored.code == 200, "\(restored.text)")
                try await world.catchUp(FileScanner.consumerName)
                #expect(try await world.fileStatus(project, fid, via: client) == "clean")
            }
        }
    }

    @Test func withoutAScannerFilesAreUnscannedAndServedAndReadinessSaysSo() async throws {
        try await World.withFiles(.sqlite) { world in
            try await world.test { client in
                #expect(try await client.call(.get, "/readyz")["virus_scanning"]?.stringValue == "off")
                let up = try await client.upload(world.project("draft"), TestClamd.eicar, as: world.token("engineer"))
                #expect(up["status"]?.stringValue == "unscanned")
                try await world.catchUp(FileScanner.consumerName)
                let fid = try #require(up["file_id"]?.stringValue)
                let content = try await client.call(.get, "/v1/projects/\(world.project("draft").lowercased)/files/\(fid)/content", as: world.token("owner"))
                #expect(content.code == 200)
            }
            #expect(try await world.fileEvents(world.project("draft")).filter { $0.type == FileScanned.type }.isEmpty)
        }
    }

    @Test func anInvalidScannerAddressStopsTheServerAtStart() async throws {
        await #expect(throws: FilesError.self) {
            try await World.withFiles(.sqlite, configure: { $0.clamd = "clamd.example:3310" }) { _ in }
        }
    }

    static func waitUntil(_ what: String, _ condition: () async throws -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            if try await condition() { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("timed out waiting until \(what)")
    }
}
