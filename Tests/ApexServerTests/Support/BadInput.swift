import ApexDomain
import ApexServer
import ApexStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// A request with bad input and the problem it must get. Paths and bodies may name `$p` (the
/// draft project), `$a` (the approved one), `$d` (the deleted one), `$c` (the draft's unapproved
/// calculation), `$a1` (the approved project's approved calculation), `$member`, `$random`.
struct BadInput: Sendable, CustomTestStringConvertible {
    let method: HTTPRequest.Method
    let path: String
    let body: String?
    let status: Int
    let code: String
    let field: String?

    init(_ method: HTTPRequest.Method, _ path: String, _ body: String?, _ status: Int, _ code: String, _ field: String? = nil) {
        self.method = method
        self.path = path
        self.body = body
        self.status = status
        self.code = code
        self.field = field
    }

    var testDescription: String { "\(method) \(path) \(body.map { String($0.prefix(80)) } ?? "<no body>") → \(status) \(code)" }

    /// Sends the request as the owner and checks the problem, and that nothing at all was written.
    func check(in world: World, _ client: some TestClientProtocol, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let ids: [(String, UUID?)] = [
            ("$a1", world.firstCalcs["approved"]), ("$p", world.projects["draft"]), ("$a", world.projects["approved"]),
            ("$d", world.projects["deleted"]), ("$c", world.calcs["draft"]), ("$member", world.users["member"]), ("$random", UUID()),
        ]
        let substitutions = ids.map { ($0.0, $0.1?.lowercased ?? "-") }
        func fill(_ text: String) -> String { substitutions.reduce(text) { $0.replacingOccurrences(of: $1.0, with: $1.1) } }
        let head = try await world.store.headPosition()
        let reply = try await client.call(method, fill(path), as: world.token("owner"), raw: body.map(fill))
        expectProblem(reply, status, code, field: field, sourceLocation: sourceLocation)
        #expect(try await world.store.headPosition() == head, "a rejected request wrote events", sourceLocation: sourceLocation)
    }
}
