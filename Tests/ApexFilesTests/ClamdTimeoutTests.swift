import ApexFiles
import Foundation
import NIOCore
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The clamd client's time limits, against sockets that misbehave (no clamd needed).
@Suite struct ClamdTimeoutTests {
    @Test func aDaemonThatNeverAnswersTimesOut() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("apex-mute-\(UUID().uuidString.prefix(8)).sock").path
        // A socket that listens (connections wait in its backlog) but never reads or answers.
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        #expect(fd >= 0)
        defer {
            close(fd)
            unlink(path)
        }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (i, byte) in path.utf8.enumerated() { raw[i] = byte }
        }
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) } }
        #expect(bound == 0)
        #expect(listen(fd, 8) == 0)

        var client = ClamdClient(address: .unix(path: path))
        client.commandTimeout = .milliseconds(500)
        let started = ContinuousClock.now
        await #expect(throws: FilesError.self) { _ = try await client.version() }
        let elapsed = ContinuousClock.now - started
        #expect(elapsed >= .milliseconds(450) && elapsed < .seconds(5), "\(elapsed)")
        do {
            _ = try await client.scan { send in try await send(.init(string: "bytes")) }
            Issue.record("a scan of a mute daemon answered")
        } catch let error as FilesError {
            #expect(error.code == .scannerUnavailable)
            #expect(error.message.contains("did not answer within"), "\(error)")
        }
    }

    @Test func nothingListeningIsUnavailableAtOnce() async throws {
        let client = ClamdClient(address: .unix(path: "/nonexistent/apex/clamd.sock"))
        do {
            _ = try await client.version()
            Issue.record("no daemon answered")
        } catch {
            #expect(error.code == .scannerUnavailable)
        }
    }
}
