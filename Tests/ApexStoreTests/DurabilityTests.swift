import ApexDomain
import ApexStore
import Foundation
import Testing

/// A writer process is killed with SIGKILL in the middle of a load; every event it was told
/// was appended must be there afterwards, no batch may be half-written, and the store must verify.
@Suite("Durability: SIGKILL mid-load")
struct DurabilityTests {
    @Test(arguments: StoreKind.sql)
    func everyAcknowledgedEventSurvivesAKilledWriter(kind: StoreKind) async throws {
        let binary = try CLIBinary.path()
        try await Fixtures.withStore(kind) { f in
            try await f.store.close()
            let process = Process()
            process.executableURL = URL(fileURLWithPath: binary)
            process.arguments = ["load", "--store", f.url!, "--events", "1000000", "--writers", "4", "--batch", "3"]
            let out = Pipe()
            process.standardOutput = out
            process.standardError = FileHandle.nullDevice
            try process.run()

            // Read acknowledgements until a few hundred have arrived, then kill without warning.
            var buffer = Data()
            let handle = out.fileHandleForReading
            let deadline = Date().addingTimeInterval(120)
            while buffer.filter({ $0 == 0x0A }).count < 300, Date() < deadline {
                let chunk = handle.availableData
                if chunk.isEmpty { break }
                buffer.append(chunk)
            }
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            buffer.append(handle.readDataToEndOfFile())
            #expect(process.terminationReason == .uncaughtSignal)

            // Only complete lines are acknowledgements.
            let text = String(decoding: buffer, as: UTF8.self)
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
            let acknowledged = Set(lines.compactMap { UUID(uuidString: String($0)) })
            #expect(acknowledged.count >= 300)

            try await EventStores.withStore(url: f.url!, logger: Fixtures.logger) { store in
                var stored = Set<UUID>()
                var cursor: Int64 = 0
                while true {
                    let page = try await store.readAll(after: cursor, limit: 5000, mode: .stored)
                    guard let last = page.last else { break }
                    for e in page { stored.insert(e.id) }
                    cursor = last.position
                }
                let missing = acknowledged.subtracting(stored)
                #expect(missing.isEmpty, "\(missing.count) acknowledged events are missing")
                #expect(stored.count >= acknowledged.count)
                // Batches of 3 are atomic even when the writer dies mid-transaction: no stream
                // holds a partial batch.
                for (stream, head) in try await store.streamHeads() where stream.rawValue.hasPrefix("load-") {
                    #expect(head.version % 3 == 0, "\(stream) ends at version \(head.version), inside a batch")
                }
                let report = try await store.verify()
                #expect(report.ok, "\(report.firstFailure?.description ?? "")")
            }
        }
    }
}

/// The built `apex-bench` binary, whose hidden `load` command is the writer (built on demand
/// when the test run has not built it).
enum CLIBinary {
    static func path() throws -> String {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let binary = root.appendingPathComponent(".build/debug/apex-bench").path
        if !FileManager.default.isExecutableFile(atPath: binary) {
            let build = Process()
            build.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            build.arguments = ["swift", "build", "--product", "apex-bench"]
            build.currentDirectoryURL = root
            try build.run()
            build.waitUntilExit()
        }
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            throw FixtureError(description: "apex-bench is not built at \(binary); run `swift build --product apex-bench`")
        }
        return binary
    }
}
