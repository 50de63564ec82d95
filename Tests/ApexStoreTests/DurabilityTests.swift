import ApexChildProcess
import ApexDomain
import ApexStore
import ApexTestSupport
import Foundation
import Testing

/// A writer process is killed with SIGKILL in the middle of a load; every event it was told
/// was appended must be there afterwards, no batch may be half-written, and the store must verify.
@Suite("Durability: SIGKILL mid-load")
struct DurabilityTests {
    @Test(arguments: StoreKind.sql)
    func everyAcknowledgedEventSurvivesAKilledWriter(kind: StoreKind) async throws {
        let binary = try BuiltProducts.executable("apex-bench")
        try await Fixtures.withStore(kind) { f in
            try await f.store.close()
            let arguments = ["load", "--store", f.url!, "--events", "1000000", "--writers", "4", "--batch", "3"]
            let (buffer, termination) = try await ChildProcess.withRunning(binary, arguments) { writer in
                // Read acknowledgements until a few hundred have arrived, then kill without warning.
                var buffer: [UInt8] = []
                var chunks = writer.output.makeAsyncIterator()
                let deadline = Date().addingTimeInterval(120)
                while buffer.filter({ $0 == 0x0A }).count < 300, Date() < deadline, let chunk = try await chunks.next() {
                    buffer += chunk
                }
                try writer.send(SIGKILL)
                while let chunk = try await chunks.next() { buffer += chunk }
                return buffer
            }
            #expect(termination == .signaled(SIGKILL))

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
