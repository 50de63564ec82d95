import ApexDomain
import ApexServer
import AsyncHTTPClient
import Foundation
import Hummingbird
import Logging
import NIOCore
import NIOHTTP1
import ServiceLifecycle
import Synchronization
import Testing

/// An API served on a real socket (an ephemeral port on 127.0.0.1) with its services (the live
/// feed among them), and an HTTP client for it that allows hundreds of connections at once.
struct LiveServer: Sendable {
    let port: Int
    let http: HTTPClient

    /// Serves `api` while `body` runs, then shuts it down gracefully: open streams must end for
    /// the shutdown to return.
    static func with(_ api: ApexAPI, _ body: (LiveServer) async throws -> Void) async throws {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: 400)
        let http = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
        let (ports, ready) = AsyncStream.makeStream(of: Int.self)
        let app = api.application(address: .hostname("127.0.0.1", port: 0), logger: World.logger) { channel in
            ready.yield(channel.localAddress?.port ?? 0)
        }
        let group = ServiceGroup(configuration: .init(services: [app], logger: World.logger))
        do {
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await group.run() }
                var iterator = ports.makeAsyncIterator()
                let server = LiveServer(port: try #require(await iterator.next()), http: http)
                do { try await body(server) } catch {
                    await group.triggerGracefulShutdown()
                    throw error
                }
                await group.triggerGracefulShutdown()
                try await tasks.next()
            }
        } catch {
            try? await http.shutdown()
            throw error
        }
        try await http.shutdown()
    }

    /// Sends `method path` (`PATCH` when `json` is given) as `token`; returns the status and the body.
    func call(_ path: String, as token: String, method: HTTPMethod = .GET, json: JSONValue? = nil) async throws -> (status: Int, body: String) {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)")
        request.method = method
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        if let json {
            request.method = .PATCH
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: CanonicalJSON.bytes(json)))
        }
        let response = try await http.execute(request, timeout: .seconds(30))
        let body = try await response.body.collect(upTo: 1 << 20)
        return (Int(response.status.code), String(buffer: body))
    }

    /// Edits a project's description as `token`, expecting 200.
    func edit(_ project: UUID, as token: String) async throws {
        let reply = try await call("/v1/projects/\(project.lowercased)", as: token, json: ["description": .string(UUID().uuidString)])
        #expect(reply.status == 200, "\(reply.body)")
    }

    /// Opens a stream and waits until the server says it is open (or answers with an error).
    func stream(_ path: String, as token: String, lastEventID: String? = nil) async throws -> SSEStream {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)")
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        request.headers.add(name: "Accept", value: "text/event-stream")
        if let lastEventID { request.headers.add(name: "Last-Event-ID", value: lastEventID) }
        let stream = SSEStream()
        stream.start(http, request)
        try await stream.waitUntil(timeout: .seconds(30)) { $0.ended || $0.comments.contains("open") }
        return stream
    }
}

/// One Server-Sent Events block as a client parses it.
struct SSEBlock: Sendable, Hashable {
    var id: String?
    var event: String?
    var data: String = ""

    /// The `data:` JSON.
    var json: JSONValue? { try? JSONDecoder().decode(JSONValue.self, from: Data(data.utf8)) }
    var position: Int64? { id.flatMap { Int64($0) } }
}

/// A stream read by a task of its own into memory, for a test to wait on.
final class SSEStream: Sendable {
    struct State: Sendable {
        var status: Int?
        var contentType: String?
        var events: [SSEBlock] = []
        var comments: [String] = []
        var body = ""
        var ended = false
    }
    let state = Mutex(State())
    private let task = Mutex<Task<Void, Never>?>(nil)

    var snapshot: State { state.withLock { $0 } }
    var events: [SSEBlock] { state.withLock { $0.events } }

    func start(_ http: HTTPClient, _ request: HTTPClientRequest) {
        task.withLock { $0 = Task { await self.read(http, request) } }
    }

    /// Disconnects.
    func close() async {
        let task = task.withLock { $0 }
        task?.cancel()
        await task?.value
    }

    private func read(_ http: HTTPClient, _ request: HTTPClientRequest) async {
        defer { state.withLock { $0.ended = true } }
        guard let response = try? await http.execute(request, timeout: .seconds(600)) else { return }
        state.withLock {
            $0.status = Int(response.status.code)
            $0.contentType = response.headers.first(name: "Content-Type")
        }
        var pending = ""
        do {
            for try await chunk in response.body {
                pending += String(buffer: chunk)
                while let end = pending.range(of: "\n\n") {
                    let block = String(pending[..<end.lowerBound])
                    pending.removeSubrange(..<end.upperBound)
                    parse(block)
                }
            }
        } catch {}
        state.withLock { $0.body += pending }
    }

    private func parse(_ block: String) {
        var event = SSEBlock()
        var isEvent = false
        for line in block.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix(": ") {
                let comment = String(line.dropFirst(2))
                state.withLock { $0.comments.append(comment) }
            } else if line.hasPrefix("id: ") {
                event.id = String(line.dropFirst(4)); isEvent = true
            } else if line.hasPrefix("event: ") {
                event.event = String(line.dropFirst(7)); isEvent = true
            } else if line.hasPrefix("data: ") {
                event.data += (event.data.isEmpty ? "" : "\n") + line.dropFirst(6); isEvent = true
            } else if !line.hasPrefix("retry: ") {
                state.withLock { $0.body += line + "\n" }
            }
        }
        if isEvent { state.withLock { $0.events.append(event) } }
    }

    /// Waits until `condition` holds of the state, failing after `timeout`.
    func waitUntil(timeout: Duration = .seconds(30), _ condition: (State) -> Bool) async throws {
        let deadline = ContinuousClock.now + timeout
        while !condition(snapshot) {
            guard ContinuousClock.now < deadline else {
                Issue.record("timed out waiting on a stream: \(snapshot.events.count) events, ended \(snapshot.ended)")
                throw CancellationError()
            }
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    /// Waits until an event at `position` (or later) has arrived.
    func waitFor(position: Int64, timeout: Duration = .seconds(30)) async throws {
        try await waitUntil(timeout: timeout) { $0.events.contains { ($0.position ?? 0) >= position } }
    }
}
