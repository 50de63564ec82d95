import ApexDomain
@testable import ApexStore
import Foundation
import Testing

/// The subjects an append needs keys for are computed without building envelopes; they must
/// be exactly the subjects of the envelopes the append then seals.
@Suite("Append subjects")
struct AppendSubjectsTests {
    @Test func subjectsWithoutEnvelopesAreTheEnvelopesSubjects() {
        let accounts = [UUID(), UUID()]
        let users = [UUID(), UUID(), UUID()]
        var requests: [AppendRequest] = []
        for i in 0..<40 {
            let user = users[(i / 3) % users.count]
            var data: JSONValue = ["n": .number(Double(i))]
            if i % 3 == 0 { data = ["owner": Personal("Ada \(i)", subject: DataSubject.user(user.lowercased)).json, "list": [["x": 1]]] }
            if i % 5 == 0 { data = ["nested": [["who": Personal("x", subject: DataSubject.requestMetadata).json]]] }
            let metadata = i % 4 == 0 ? RequestMetadata.none : RequestMetadata(ipAddress: "192.0.2.\(i)", userAgent: i % 2 == 0 ? "ua" : nil)
            let event = ProposedEvent(
                id: UUID(), type: "test.note", data: data, accountID: accounts[i % 2], actor: .user(user), requestMetadata: metadata)
            requests.append(AppendRequest(events: [event], stream: .project(UUID()), expected: .any))
        }
        for time in [Date(), Date(timeIntervalSince1970: 1_796_083_199.9999996), Date(timeIntervalSince1970: 1_796_083_200)] {
            let viaEnvelopes = requests.reduce(into: Set<String>()) { all, r in
                all.formUnion(AppendPlanner.subjects(of: AppendPlanner.envelopes(r.events, stream: r.stream, head: nil, firstPosition: 1, recordedAt: time)))
            }
            #expect(AppendPlanner.subjects(of: requests, recordedAt: time) == viaEnvelopes)
            #expect(viaEnvelopes.count >= 5)
        }
    }
}
