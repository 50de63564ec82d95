import ApexChildProcess
import ApexDomain
import ApexTestSupport
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// One answer of a live server: status, headers and the body as JSON (null when it is not JSON).
struct HTTPReply: Sendable {
    var status: Int
    var headers: HTTPHeaders
    var json: JSONValue
    var text: String

    subscript(key: String) -> JSONValue? { json[key] }
    /// The version an `ETag` header names.
    var version: Int64? { headers.first(name: "ETag").flatMap { Int64($0.trimmingCharacters(in: CharacterSet(charactersIn: "\""))) } }
}

/// A running `apex-cli serve`, reached over HTTP (AsyncHTTPClient's shared client).
struct ServeProcess: Sendable {
    let port: Int
    let token: String

    var base: String { "http://127.0.0.1:\(port)" }

    /// Sends `method path` with the bearer token, `json` as the body, and `headers`.
    func call(_ method: HTTPMethod, _ path: String, json: JSONValue? = nil, headers: [(String, String)] = [], token: String? = nil) async throws -> HTTPReply {
        var request = HTTPClientRequest(url: base + path)
        request.method = method
        request.headers.add(name: "Authorization", value: "Bearer \(token ?? self.token)")
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let json {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(CanonicalJSON.bytes(json))
        }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(60))
        let body = try await response.body.collect(upTo: 64 << 20)
        let data = Data(body.readableBytesView)
        let json = (try? JSONDecoder().decode(JSONValue.self, from: data)) ?? .null
        return HTTPReply(status: Int(response.status.code), headers: response.headers, json: json, text: String(decoding: data, as: UTF8.self))
    }

    /// Runs `apex-cli arguments…` (`serve` and its options) with `environment` (every other APEX_
    /// variable removed) on a free port, waits until it answers `/readyz`, and runs `body` with
    /// it; the server gets SIGTERM when `body` ends.
    static func with<T: Sendable>(
        _ arguments: [String], environment: [String: String], token: String, _ body: (ServeProcess) async throws -> T
    ) async throws -> T {
        try await withProcess(arguments, environment: environment, token: token) { server, _ in try await body(server) }
    }

    /// Like ``with(_:environment:token:_:)``, and `body` also gets the process, to signal it
    /// (SIGKILL, for a crash).
    static func withProcess<T: Sendable>(
        _ arguments: [String], environment: [String: String], token: String, _ body: (ServeProcess, ChildProcess.Running) async throws -> T
    ) async throws -> T {
        let port = try FreePort.find()
        var environment = environment
        environment["APEX_HOST"] = "127.0.0.1"
        environment["APEX_PORT"] = String(port)
        // The tests' requests all come from 127.0.0.1: no rate limits unless a test sets them.
        if environment["APEX_RATE_LIMITS"] == nil { environment["APEX_RATE_LIMITS"] = "off" }
        let server = ServeProcess(port: port, token: token)
        return try await ChildProcess.withRunning(try BuiltProducts.executable("apex-cli"), arguments, adding: environment, removing: { $0.hasPrefix("APEX_") }) { running in
            try await server.waitUntilReady()
            return try await body(server, running)
        }.value
    }

    /// Polls `/readyz` for up to 60 seconds.
    private func waitUntilReady() async throws {
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            if let ready = try? await call(.GET, "/readyz"), ready.status == 200 { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw FixtureError("apex-cli serve did not answer /readyz on port \(port) within 60 s")
    }
}
