import ApexChildProcess
import ApexCommandLine
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// A real server under test: `apex-bench serve` (this executable) as a child process on the store
/// at a URL, reached over a loopback socket.
struct ServerProcess: Sendable {
    /// The port it listens on.
    let port: Int
    /// Its process id.
    let pid: Int32
    /// Seconds from just before it was spawned until `/readyz` first answered 200.
    let secondsToReady: Double

    /// Its resident memory now and its peak so far, in MiB (`VmRSS`, `VmHWM`).
    func memoryMB() -> (rss: Double, peak: Double) {
        let status = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
        func field(_ name: String) -> Double {
            for line in status.split(separator: "\n") where line.hasPrefix(name + ":") {
                return (Double(line.split(separator: " ").dropFirst().first ?? "") ?? 0) / 1024
            }
            return 0
        }
        return (field("VmRSS"), field("VmHWM"))
    }

    /// Starts the server on `storeURL` with the JWT `secret`, waits until `/readyz` answers, runs
    /// `body`, then stops it (SIGTERM).
    static func with<T: Sendable>(storeURL: String, secret: String, _ body: (ServerProcess) async throws -> T) async throws -> T {
        let clock = ContinuousClock()
        let start = clock.now
        return try await ChildProcess.withRunning(
            try executable(), ["serve", "--store", storeURL], adding: ["APEX_JWT_SECRET": secret],
            removing: { $0.hasPrefix("APEX_") }
        ) { running in
            let port = try await announcedPort(running.output)
            try await waitUntilReady(port: port)
            let server = ServerProcess(port: port, pid: running.processIdentifier, secondsToReady: (clock.now - start).seconds)
            return try await body(server)
        }.value
    }

    /// The path of this executable, which has the `serve` command.
    private static func executable() throws -> String {
        if let path = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") { return path }
        guard let path = Bundle.main.executablePath else { throw CLIError("cannot find the apex-bench executable to start its server") }
        return path
    }

    /// Reads the child's standard output up to the `listening on PORT` line.
    private static func announcedPort(_ output: some AsyncSequence<[UInt8], any Error>) async throws -> Int {
        var text = ""
        for try await chunk in output {
            text += String(decoding: chunk, as: UTF8.self)
            for line in text.split(separator: "\n") where line.hasPrefix(ServeCommand.readyPrefix) {
                if let port = Int(line.dropFirst(ServeCommand.readyPrefix.count)) { return port }
            }
        }
        throw CLIError("the benchmark's server exited before it listened: \(text.isEmpty ? "(it printed nothing)" : text)")
    }

    /// Polls `/readyz` every 5 ms for up to 120 seconds.
    private static func waitUntilReady(port: Int) async throws {
        let deadline = ContinuousClock.now + .seconds(120)
        while ContinuousClock.now < deadline {
            let request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/readyz")
            if let response = try? await HTTPClient.shared.execute(request, timeout: .seconds(10)) {
                _ = try? await response.body.collect(upTo: 1 << 16)
                if response.status.code == 200 { return }
            }
            try await Task.sleep(for: .milliseconds(5))
        }
        throw CLIError("the benchmark's server did not answer /readyz on port \(port) within 120 s")
    }
}
