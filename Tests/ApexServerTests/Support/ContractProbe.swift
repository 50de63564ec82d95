import ApexDomain
import ApexServer
import ApexStore
import Foundation
import HTTPTypes
import HummingbirdTesting
import Synchronization
import Testing

/// Sends the requests of one documented operation through the real router and holds each answer
/// to the OpenAPI document (``OpenAPIContract``): the status must be the one the request is meant
/// to get and one the operation documents, the content type a documented one, the body valid
/// against the schema. A request meant to succeed must also keep the request body schema.
/// It remembers which statuses it saw, so a test can tell which documented ones it never provoked.
final class ContractProbe: Sendable {
    let operation: String
    let contract: OpenAPIContract
    let world: World
    let client: any TestClientProtocol
    private let seen: Statuses

    /// The statuses seen, shared by a probe and those it makes for other worlds.
    final class Statuses: Sendable {
        let set = Mutex<Set<Int>>([])
    }

    init(_ operation: String, _ contract: OpenAPIContract, _ world: World, _ client: any TestClientProtocol, seen: Statuses = Statuses()) {
        self.operation = operation
        self.contract = contract
        self.world = world
        self.client = client
        self.seen = seen
    }

    var exercised: Set<Int> { seen.set.withLock { $0 } }

    /// Sends a request of this operation as `user` (nil: no token) and checks the answer.
    @discardableResult
    func expect(
        _ status: Int, _ method: HTTPRequest.Method, _ path: String, as user: String? = "owner", json: JSONValue? = nil, raw: String? = nil,
        headers: HTTPFields = [:], sourceLocation: SourceLocation = #_sourceLocation
    ) async throws -> Reply {
        let reply = try await client.call(method, path, as: user.map(world.token), json: json, raw: raw, headers: headers)
        #expect(reply.code == status, "\(operation): \(method) \(path) answered \(reply.code), not \(status): \(reply.text.prefix(300))", sourceLocation: sourceLocation)
        let violations = contract.violations(of: operation, status: reply.code, contentType: reply.contentType, body: Data(reply.text.utf8)) { name in
            HTTPField.Name(name).flatMap { reply.headers[$0] }
        }
        #expect(violations.isEmpty, "\(violations.joined(separator: "\n"))", sourceLocation: sourceLocation)
        if (200..<300).contains(reply.code), let json {
            let refused = contract.requestViolations(of: operation, body: json, mediaType: headers[.contentType] ?? "application/json")
            #expect(refused.isEmpty, "the server accepted a body the document refuses:\n\(refused.joined(separator: "\n"))", sourceLocation: sourceLocation)
        }
        seen.set.withLock { _ = $0.insert(reply.code) }
        return reply
    }

    /// Sends a request that is set-up, not part of the operation under test (no contract check).
    @discardableResult
    func send(_ method: HTTPRequest.Method, _ path: String, as user: String = "owner", json: JSONValue? = nil) async throws -> Reply {
        try await client.call(method, path, as: world.token(user), json: json)
    }

    /// The same checks against `other` (a world rebuilt over a ``ProxyStore``), counted here.
    func on(_ other: World, _ body: @Sendable (ContractProbe) async throws -> Void) async throws {
        try await other.test { client in try await body(ContractProbe(self.operation, self.contract, other, client, seen: self.seen)) }
    }

    // The error answers most operations document, provoked the same way for each.

    /// 401: no bearer token.
    func unauthorized(_ method: HTTPRequest.Method, _ path: String, json: JSONValue? = nil) async throws {
        try await expect(401, method, path, as: nil, json: json)
    }

    /// 400: a body that is not JSON.
    func malformed(_ method: HTTPRequest.Method, _ path: String, as user: String = "owner") async throws {
        try await expect(400, method, path, as: user, raw: "{\"unfinished\":")
    }

    /// 413: a body one byte over the configured limit.
    func tooLarge(_ method: HTTPRequest.Method, _ path: String) async throws {
        try await expect(413, method, path, raw: "\"" + String(repeating: "a", count: world.configuration.bodyLimit) + "\"")
    }

    /// A world over a ``ProxyStore`` of this one, to lose a race or lose the store.
    func proxied() async throws -> (ProxyStore, World) {
        let proxy = ProxyStore(world.store)
        return (proxy, try await world.rebuilt(over: proxy))
    }

    /// Makes every attempt of the next account write through `proxy` lose its race (the API
    /// decides an account change again after a lost race, a few times: ``ApexAPI``'s
    /// `changeAccount`), so it is answered 409 `version_conflict`. The race stays armed: use the
    /// proxied world for that one request only.
    func loseEveryAccountRace(_ proxy: ProxyStore) {
        let (user, account, admin) = (world.user("estimator"), world.account, world.user("admin"))
        proxy.race(.account(account), times: 1_000) {
            [try ProposedEvent(id: UUID(), UserPELicenseChanged(userID: user, peLicense: nil), accountID: account, actor: .user(admin))]
        }
    }
}
