import ApexDomain
import ApexServer
import ApexStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import ServiceLifecycle
import Testing

/// A response, with its body parsed as JSON where it is JSON.
struct Reply: Sendable {
    let status: HTTPResponse.Status
    let headers: HTTPFields
    let text: String
    let json: JSONValue

    var code: Int { status.code }
    subscript(key: String) -> JSONValue? { json[key] }
    /// The `items` array of a list answer.
    var items: [JSONValue] { json["items"]?.array ?? [] }
    var contentType: String? { headers[.contentType] }
    var eTag: String? { headers[.eTag] }
    var requestID: String? { headers[HTTPField.Name("X-Request-ID")!] }

    /// The problem body without its `request_id`, for comparing two errors.
    var problemWithoutRequestID: JSONValue {
        var o = json.objectValue ?? [:]
        o["request_id"] = nil
        return .object(o)
    }
}

extension JSONValue {
    var array: [JSONValue]? {
        if case .array(let a) = self { return a }
        return nil
    }
    var bool: Bool? {
        if case .bool(let b) = self { return b }
        return nil
    }
}

extension TestClientProtocol {
    /// Sends a request: `json` is encoded, `raw` is sent as is; `token` becomes a bearer header.
    func call(
        _ method: HTTPRequest.Method, _ uri: String, as token: String? = nil, json: JSONValue? = nil, raw: String? = nil,
        headers: HTTPFields = [:]
    ) async throws -> Reply {
        var headers = headers
        if let token { headers[.authorization] = "Bearer \(token)" }
        var body: ByteBuffer?
        if let json {
            body = ByteBuffer(bytes: CanonicalJSON.bytes(json))
            if headers[.contentType] == nil { headers[.contentType] = "application/json" }
        } else if let raw {
            body = ByteBuffer(string: raw)
            if headers[.contentType] == nil { headers[.contentType] = "application/json" }
        }
        let response = try await executeRequest(uri: uri, method: method, headers: headers, body: body)
        let data = Data(response.body.readableBytesView)
        let json = (try? JSONDecoder().decode(JSONValue.self, from: data)) ?? .null
        return Reply(status: response.status, headers: response.headers, text: String(decoding: data, as: UTF8.self), json: json)
    }
}

extension World {
    /// Runs `body` against the real router (`.router`) or a real socket (`.live`).
    @discardableResult
    func test<T: Sendable>(_ setup: TestingSetup = .router, _ body: @Sendable (any TestClientProtocol) async throws -> T) async throws -> T {
        try await api.application(address: .hostname("127.0.0.1", port: 0), logger: World.logger).test(setup, body)
    }

    /// Serves the API on a real socket as `ApexServer` does and runs `body` with the port. Unlike
    /// `test(.live)`, whose test application rebinds with a configuration that drops the
    /// connection cap, this keeps the application's whole configuration.
    ///
    /// The server stops by graceful shutdown, never by cancelling its task: a connection accepted
    /// while the serving task is cancelled is never served nor finished, and NIO traps on it
    /// ("Deinited NIOAsyncWriter without calling finish()", apple/swift-nio#3481).
    func serve<T: Sendable>(_ body: @Sendable (Int) async throws -> T) async throws -> T {
        let (ports, ready) = AsyncStream.makeStream(of: Int.self)
        let app = api.application(address: .hostname("127.0.0.1", port: 0), logger: World.logger) { ready.yield($0.localAddress?.port ?? 0) }
        let server = ServiceGroup(configuration: .init(services: [app], logger: World.logger))
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await server.run() }
            var iterator = ports.makeAsyncIterator()
            let result: Result<T, any Error>
            do { result = .success(try await body(try #require(await iterator.next()))) } catch { result = .failure(error) }
            await server.triggerGracefulShutdown()
            try await group.waitForAll()
            return try result.get()
        }
    }

    /// The account stream, opened.
    func accountEvents() async throws -> [EventEnvelope] { try await store.readStream(.account(account)) }

    /// The `access.denied` events of the account after stream version `version`.
    func denials(after version: Int64) async throws -> [EventEnvelope] {
        try await store.readStream(.account(account), from: version + 1).filter { $0.type == AccessDenied.type }
    }

    func accountVersion() async throws -> Int64 { try await store.streamVersion(.account(account)) }
    func projectVersion(_ id: UUID) async throws -> Int64 { try await store.streamVersion(.project(id)) }
}

/// Asserts an RFC 9457 problem answer with `status` and `code` (and `field`, when given).
func expectProblem(
    _ reply: Reply, _ status: Int, _ code: String, field: String? = nil, sourceLocation: SourceLocation = #_sourceLocation
) {
    #expect(reply.code == status, "\(reply.text)", sourceLocation: sourceLocation)
    #expect(reply.contentType == "application/problem+json", sourceLocation: sourceLocation)
    #expect(reply["code"]?.stringValue == code, "\(reply.text)", sourceLocation: sourceLocation)
    #expect(reply["status"]?.numberValue == Double(status), sourceLocation: sourceLocation)
    #expect(reply["type"]?.stringValue == "https://apex.dev/problems/\(code)", sourceLocation: sourceLocation)
    #expect(reply["detail"]?.stringValue?.isEmpty == false, sourceLocation: sourceLocation)
    if let field { #expect(reply["field"]?.stringValue == field, "\(reply.text)", sourceLocation: sourceLocation) }
}
