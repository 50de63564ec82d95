import ApexChildProcess
import ApexServer
import Foundation
import Hummingbird
import HummingbirdCore
import NIOCore
import ServiceLifecycle
import Testing

/// A plain HTTP/1.1 exchange over a real socket (`Connection: close`): status, head and body.
struct SocketReply: Sendable {
    let status: Int
    let head: String
    let body: String

    /// Sends `method path` to 127.0.0.1:`port` with `headers` and reads the whole answer.
    static func send(_ method: String, _ path: String, port: Int, headers: [String: String] = [:]) async throws -> SocketReply {
        let socket = try RawSocket(port: port)
        defer { socket.close() }
        let lines = headers.map { "\($0.key): \($0.value)\r\n" }.joined()
        socket.send("\(method) \(path) HTTP/1.1\r\nHost: apex.test\r\nConnection: close\r\n\(lines)\r\n")
        var text = ""
        while true {
            let chunk = await socket.read(limit: 10)
            if chunk.isEmpty { break }
            text += chunk
        }
        guard let split = text.range(of: "\r\n\r\n") else { throw RawSocketError("no HTTP answer: \(text.prefix(200))") }
        let head = String(text[..<split.lowerBound])
        let status = Int(head.split(separator: " ").dropFirst().first ?? "") ?? 0
        return SocketReply(status: status, head: head, body: String(text[split.upperBound...]))
    }

    /// A header's value (case-insensitive name).
    func header(_ name: String) -> String? {
        for line in head.split(separator: "\r\n").dropFirst() {
            let parts = line.split(separator: ":", maxSplits: 1)
            if parts.count == 2, parts[0].lowercased() == name.lowercased() { return parts[1].trimmingCharacters(in: .whitespaces) }
        }
        return nil
    }
}

/// The samples of a Prometheus text exposition, by series as written (`name{labels}`).
struct MetricSamples: Sendable {
    let text: String
    let values: [String: Double]

    init(_ text: String) {
        self.text = text
        var values: [String: Double] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else { continue }
            values[String(line[..<space])] = value
        }
        self.values = values
    }

    subscript(series: String) -> Double? { values[series] }

    /// The value of `series`, 0 when absent (a counter not yet made).
    func count(_ series: String) -> Double { values[series] ?? 0 }
}

extension World {
    /// Serves the API and its separate metrics listener on real sockets and runs `body` with both ports.
    func serveWithMetrics<T: Sendable>(_ body: @Sendable (_ api: Int, _ metrics: Int) async throws -> T) async throws -> T {
        let (ports, ready) = AsyncStream.makeStream(of: (String, Int).self)
        let app = api.application(address: .hostname("127.0.0.1", port: 0), logger: World.logger) { ready.yield(("api", $0.localAddress?.port ?? 0)) }
        let metricsApp = api.metricsApplication(address: .hostname("127.0.0.1", port: 0), logger: World.logger) {
            ready.yield(("metrics", $0.localAddress?.port ?? 0))
        }
        // Stopped by graceful shutdown, not cancellation (see ``serve(_:)``).
        let servers = ServiceGroup(configuration: .init(services: [app, metricsApp], logger: World.logger))
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await servers.run() }
            var bound: [String: Int] = [:]
            for await (name, port) in ports {
                bound[name] = port
                if bound.count == 2 { break }
            }
            let result: Result<T, any Error>
            do { result = .success(try await body(try #require(bound["api"]), try #require(bound["metrics"]))) } catch { result = .failure(error) }
            await servers.triggerGracefulShutdown()
            try await group.waitForAll()
            return try result.get()
        }
    }
}

/// `promtool check metrics` on a scrape: fails (never skips) when promtool is not installed.
enum Promtool {
    static let path = "/usr/bin/promtool"

    /// promtool's findings on `text`: empty when it passes.
    static func check(_ text: String) async throws -> String {
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw RawSocketError("promtool is missing at \(path): install Debian's prometheus package (apt-get install prometheus)")
        }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("apex-metrics-\(UUID().uuidString).txt")
        try Data(text.utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let outcome = try await ChildProcess.run("/bin/sh", ["-c", "\(path) check metrics < \"$0\"", file.path])
        return outcome.status == 0 && outcome.output.isEmpty && outcome.errors.isEmpty ? "" : outcome.description
    }
}
