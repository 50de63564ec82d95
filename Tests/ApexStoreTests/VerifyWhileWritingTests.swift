import ApexDomain
import ApexStore
import Foundation
import Testing

/// `verify` on a store that takes writes meanwhile (a primary in use, a standby replaying):
/// stream heads read after the walk may count events the walk has not seen, which must not be
/// reported as a head mismatch.
@Suite("verify while appends commit")
struct VerifyWhileWritingTests {
    /// Three writers append to their own streams (new ones first) while the store is verified
    /// over and over: every report is intact, and the last one counts every event.
    @Test(arguments: StoreKind.sql)
    func verifyStaysIntactWhileWritersAppend(kind: StoreKind) async throws {
        try await Fixtures.withStore(kind) { f in
            let store = f.store
            let (writers, appends) = (3, 150)
            let writing = Task {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for _ in 0..<writers {
                        group.addTask {
                            let stream = StreamID.project(UUID())
                            for i in 0..<appends {
                                _ = try await store.append([Events.note("w\(i)")], to: stream, expected: i == 0 ? .noStream : .exact(Int64(i)))
                            }
                        }
                    }
                    try await group.waitForAll()
                }
            }
            var reports = 0
            let deadline = ContinuousClock.now + .seconds(120)  // a writer that failed stops the loop too
            while try await store.headPosition() < Int64(writers * appends), ContinuousClock.now < deadline {
                let report = try await store.verify()
                #expect(report.ok, "verify \(reports + 1) while writing: \(report.failures)")
                reports += 1
            }
            try await writing.value
            let final = try await store.verify()
            #expect(final.ok)
            #expect(final.eventsChecked == Int64(writers * appends))
            #expect(reports > 0)
        }
    }
}
