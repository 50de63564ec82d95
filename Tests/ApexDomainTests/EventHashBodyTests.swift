@testable import ApexDomain
import Foundation
import Testing

/// The hash writes the canonical body member by member; it must be byte for byte the
/// canonical JSON of `canonicalBody`, which is what the hash is documented over.
@Suite("Event hash body")
struct EventHashBodyTests {
    @Test(arguments: [nil, "", "needs \"quotes\", a\ttab and é"])
    func bytesAreTheCanonicalJSONOfTheBody(reason: String?) {
        let envelope = EventEnvelope(
            position: 9, stream: .project(UUID()), version: 12_345_678_901, id: UUID(), type: "project.updated", schemaVersion: 2,
            data: ["changes": ["name": "Pole \u{1F}sign", "tags": ["a", 1.5, nil, true]], "pii": nil], accountID: UUID(),
            actor: Actor(userID: UUID(), onBehalfOf: nil, service: "cli"),
            requestMetadata: RequestMetadata(ipAddress: "203.0.113.9", userAgent: "curl/8", peerAddress: "10.0.0.1", requestID: "r-1"),
            reason: reason, recordedAt: Date(timeIntervalSince1970: 1_795_000_000.123456), prevHash: "", hash: "")
        #expect(envelope.canonicalBodyBytes == CanonicalJSON.bytes(envelope.canonicalBody))
    }
}
