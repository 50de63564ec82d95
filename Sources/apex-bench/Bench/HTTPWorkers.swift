import ApexCommandLine
import ApexDomain
import ApexStore
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// A caller of the live server: bearer token, JSON bodies, status checked, body read.
struct APIClient: Sendable {
    let http: HTTPClient
    let base: String
    let token: String

    /// Sends a request; throws on any status but `expect`.
    func send(_ method: HTTPMethod, _ path: String, json: String? = nil, expect: UInt) async throws {
        try await send(method, path, json: json, accept: [expect])
    }

    /// Sends a request and returns its status code; throws on any status not in `accept`.
    @discardableResult
    func send(_ method: HTTPMethod, _ path: String, json: String? = nil, accept: Set<UInt>) async throws -> UInt {
        var request = HTTPClientRequest(url: base + path)
        request.method = method
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        request.headers.add(name: "User-Agent", value: "apex-bench")
        if let json {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(Array(json.utf8))
        }
        let response = try await http.execute(request, timeout: .seconds(30))
        let body = try await response.body.collect(upTo: 1 << 20)
        guard accept.contains(response.status.code) else {
            throw CLIError("\(method) \(path) answered \(response.status.code), expected \(accept.sorted()): \(String(buffer: body).prefix(200))")
        }
        return response.status.code
    }
}

/// What the server does for a project request, called on the store directly: decide and append
/// (create), load + decide + append (patch), load (get), with the request metadata the server records.
struct DirectProjects: Sendable {
    let store: any EventStore
    let account: UUID
    let user: UUID

    var metadata: RequestMetadata {
        RequestMetadata(ipAddress: "127.0.0.1", userAgent: "apex-bench", peerAddress: "127.0.0.1", requestID: UUID().uuidString.lowercased())
    }

    func create(_ id: UUID, name: String, description: String) async throws {
        let fields = try ProjectFields(name: "").merging(["name": .string(name), "description": .string(description), "tags": ["bench"]])
        let drafts = try ProjectDecider.decide(.create(projectID: id, fields: fields), state: ProjectState(), context: DecisionContext(now: Date()))
        let proposed = drafts.map { $0.proposed(id: UUID(), accountID: account, actor: .user(user), requestMetadata: metadata) }
        let result = try await store.append(proposed, to: .project(id), expected: .noStream)
        _ = try ProjectState.replay(result.events)
    }

    func patch(_ id: UUID, description: String) async throws {
        let events = try await store.readStream(.project(id), from: 1, limit: .max, mode: .stored)
        var state = try ProjectState.replay(events)
        let drafts = try ProjectDecider.decide(.update(changes: ["description": .string(description)]), state: state, context: DecisionContext(now: Date()))
        let proposed = drafts.map { $0.proposed(id: UUID(), accountID: account, actor: .user(user), requestMetadata: metadata) }
        let result = try await store.append(proposed, to: .project(id), expected: .exact(state.version))
        for event in result.events { try state.apply(event) }
    }

    func get(_ id: UUID) async throws {
        let state = try ProjectState.replay(try await store.readStream(.project(id), from: 1, limit: .max, mode: .stored))
        guard state.exists else { throw CLIError("project \(id) does not exist") }
    }
}

/// One operation kind, through HTTP or directly; each worker patches and reads its own projects.
enum ProjectOperation: String, Sendable {
    case create, patch, get
}

struct ProjectWorker: LoadWorker {
    let operation: ProjectOperation
    let api: APIClient?
    let direct: DirectProjects
    let projects: [UUID]
    var rng: SeededGenerator
    var n = 0

    mutating func step() async throws -> Int {
        n += 1
        switch operation {
        case .create:
            let name = "Bench sign \(n)", description = rng.text(100)
            if let api {
                try await api.send(.POST, "/v1/projects", json: #"{"name":"\#(name)","description":"\#(description)","tags":["bench"]}"#, expect: 201)
            } else {
                try await direct.create(rng.uuid(), name: name, description: description)
            }
        case .patch:
            let id = projects[n % projects.count], description = rng.text(100)
            if let api {
                try await api.send(.PATCH, "/v1/projects/\(id.lowercased)", json: #"{"description":"\#(description)"}"#, expect: 200)
            } else {
                try await direct.patch(id, description: description)
            }
        case .get:
            let id = projects[n % projects.count]
            if let api { try await api.send(.GET, "/v1/projects/\(id.lowercased)", expect: 200) } else { try await direct.get(id) }
        }
        return 1
    }
}
